package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The sandbox's cgroup as seen from inside: counters the kernel bumps when a limit strikes (a counter that grew
// during a run means the run hit that limit). cgroup v2 and v1 layouts are both read. A run's
// CPU time and peak memory are its own, from wait4 (see exitStatus), not the cgroup's.
//
// Every run reads these files before and after, so each is opened once, at its first read, and read again from
// its start (pread): an open of a cgroup file — and the failed ones of the other layout — cost more than the read.

var (
	oomKillFile = &cgroupFile{candidates: []string{"/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"}}
	pidsMaxFile = &cgroupFile{candidates: []string{"/sys/fs/cgroup/pids.events", "/sys/fs/cgroup/pids/pids.events"}}
	memoryFile  = &cgroupFile{candidates: []string{"/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory/memory.usage_in_bytes"}}
)

// memoryUsed is the memory the sandbox's cgroup holds now (its processes and its tmpfs files); -1 where the kernel
// does not tell.
func memoryUsed() int64 { return memoryFile.value() }

// oomKills is how often the OOM killer struck; -1 where the kernel does not tell.
func oomKills() int64 { return oomKillFile.counter("oom_kill ") }

// pidsLimitHits is how many forks the pids limit refused; -1 where the kernel does not tell.
func pidsLimitHits() int64 { return pidsMaxFile.counter("max ") }

// cgroupFile is the first of its candidates that opens, kept open; none that does means the kernel does not tell.
type cgroupFile struct {
	candidates []string
	once       sync.Once
	file       *os.File // nil when no candidate opened
}

// read is the file's whole content, read from its start; false when there is no such file or it cannot be read.
func (c *cgroupFile) read() ([]byte, bool) {
	c.once.Do(func() {
		for _, name := range c.candidates {
			if f, err := os.Open(name); err == nil {
				c.file = f
				return
			}
		}
	})
	if c.file == nil {
		return nil, false
	}
	buffer := make([]byte, 4096) // the largest of these files (memory.events, cpu.stat) is a few hundred bytes
	n, err := c.file.ReadAt(buffer, 0)
	if n == 0 && err != nil {
		return nil, false
	}
	return buffer[:n], true
}

// value is the file's one number.
func (c *cgroupFile) value() int64 {
	if b, ok := c.read(); ok {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			return v
		}
	}
	return -1
}

// counter is the number on the file's line that starts with prefix.
func (c *cgroupFile) counter(prefix string) int64 {
	b, ok := c.read()
	if !ok {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			if v, err := strconv.ParseInt(strings.TrimSpace(line[len(prefix):]), 10, 64); err == nil {
				return v
			}
		}
	}
	return -1
}

func nowMs() int64 { return time.Now().UnixMilli() }

func sleepMs(ms int64) { time.Sleep(time.Duration(ms) * time.Millisecond) }
