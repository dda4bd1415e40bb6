package bench

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuMeter tells how much CPU other processes used while the bench ran: the machine's busy
// time from /proc/stat less this process's and its redis-server's. Linux only; elsewhere it
// reports nothing.
type cpuMeter struct {
	start      time.Time
	busy, self float64 // clock ticks
	pids       []int
}

// clockTicks is USER_HZ, 100 on every Linux the bench runs on.
const clockTicks = 100

func startCPUMeter(pids ...int) *cpuMeter {
	busy, ok := machineBusy()
	if !ok {
		return nil
	}
	return &cpuMeter{start: time.Now(), busy: busy, self: procTicks(pids), pids: pids}
}

// others returns the average number of cores other processes kept busy since the start.
func (m *cpuMeter) others() (float64, bool) {
	if m == nil {
		return 0, false
	}
	busy, ok := machineBusy()
	if !ok {
		return 0, false
	}
	wall := time.Since(m.start).Seconds()
	if wall <= 0 {
		return 0, false
	}
	other := (busy - m.busy) - (procTicks(m.pids) - m.self)
	return max(other, 0) / clockTicks / wall, true
}

// machineBusy is the machine's non-idle CPU time in ticks, from the first line of /proc/stat.
func machineBusy() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy float64
	for i, v := range f[1:8] { // user nice system idle iowait irq softirq
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, true
}

// procTicks is the user and system time of this process and of pids, in ticks.
func procTicks(pids []int) float64 {
	total := statTicks("/proc/self/stat")
	for _, p := range pids {
		total += statTicks("/proc/" + strconv.Itoa(p) + "/stat")
	}
	return total
}

func statTicks(path string) float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its closing parenthesis.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64) // utime, field 14
	k, _ := strconv.ParseFloat(f[12], 64) // stime, field 15
	return u + k
}
