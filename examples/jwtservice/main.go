// Command jwtservice is a small service behind the load balancer that verifies authgate's access
// tokens itself, in-process, from authgate's JWKS: no call to authgate or any store per request.
//
//	go run ./examples/jwtservice --jwks http://127.0.0.1:8080/.well-known/jwks.json
//	curl -H "Authorization: Bearer $ACCESS" 127.0.0.1:9090/hello
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/token"
)

func main() {
	jwks := flag.String("jwks", "http://127.0.0.1:8080/.well-known/jwks.json", "authgate's JWKS URL")
	issuer := flag.String("issuer", "http://127.0.0.1:8080", "expected iss claim")
	audience := flag.String("audience", "authgate", "expected aud claim")
	listen := flag.String("listen", "127.0.0.1:9090", "address to serve on")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	keys, err := token.NewRemoteKeySet(*jwks)
	if err != nil {
		log.Fatal(err)
	}
	go keys.Run(ctx) // refetches periodically, and at once on an unknown kid
	verifier, err := token.NewVerifier(keys, token.WithIssuer(*issuer), token.WithVerifierAudience(*audience))
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *listen, Handler: newHandler(verifier), ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	log.Printf("jwtservice on %s, trusting %s", *listen, *jwks)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newHandler serves /hello to callers with a valid access token.
func newHandler(v *token.Verifier) http.Handler {
	jwt := authn.NewJWT(v)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := jwt.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="jwtservice"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"hello": p.Username,
			"roles": strings.Join(p.Roles, ","),
		})
	})
}
