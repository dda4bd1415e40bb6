package gateway

import "strings"

// deviceName summarises a user agent for a person: "Firefox on Windows", "Safari on iPhone",
// "curl". It is a label for a session list, not a parser: anything it does not know is named
// by its first product token.
func deviceName(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return "Unknown device"
	}
	browser := browserName(ua)
	if browser == "" {
		product, _, _ := strings.Cut(ua, " ")
		product, _, _ = strings.Cut(product, "/")
		if len(product) > 40 {
			product = product[:40]
		}
		return product
	}
	if os := osName(ua); os != "" {
		return browser + " on " + os
	}
	return browser
}

// browsers are matched in order: Edge and Opera also say Chrome, Chrome also says Safari.
var browsers = []struct{ token, name string }{
	{"Edg/", "Edge"},
	{"OPR/", "Opera"},
	{"HeadlessChrome/", "Headless Chrome"},
	{"Chrome/", "Chrome"},
	{"CriOS/", "Chrome"},
	{"Firefox/", "Firefox"},
	{"FxiOS/", "Firefox"},
	{"Safari/", "Safari"},
	{"curl/", "curl"},
	{"Wget/", "Wget"},
	{"Go-http-client/", "Go HTTP client"},
	{"python-requests/", "Python requests"},
}

func browserName(ua string) string {
	for _, b := range browsers {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	return ""
}

// systems are matched in order: Android also says Linux, iOS also says Mac OS X.
var systems = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"Android", "Android"},
	{"iPhone", "iPhone"},
	{"iPad", "iPad"},
	{"CrOS", "ChromeOS"},
	{"Macintosh", "macOS"},
	{"Linux", "Linux"},
}

func osName(ua string) string {
	for _, s := range systems {
		if strings.Contains(ua, s.token) {
			return s.name
		}
	}
	return ""
}
