package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// The sandbox's cgroup as seen from inside: counters the kernel bumps when a limit strikes (a counter that grew
// during a run means the run hit that limit), CPU time and memory. cgroup v2 and v1 layouts are both read.

var (
	oomKillFiles  = []string{"/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"}
	pidsMaxFiles  = []string{"/sys/fs/cgroup/pids.events", "/sys/fs/cgroup/pids/pids.events"}
	cpuV1Files    = []string{"/sys/fs/cgroup/cpuacct/cpuacct.usage", "/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage"}
	memoryFiles   = []string{"/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory/memory.usage_in_bytes"}
	cpuStatV2File = []string{"/sys/fs/cgroup/cpu.stat"}
)

// cgroupCPUNanos is the CPU time the whole cgroup used so far; -1 where the kernel does not tell.
func cgroupCPUNanos() int64 {
	if v2 := counter(cpuStatV2File, "usage_usec "); v2 >= 0 {
		return v2 * 1_000
	}
	return value(cpuV1Files)
}

// cgroupMemory is the memory the cgroup uses now, bytes; -1 where the kernel does not tell.
func cgroupMemory() int64 { return value(memoryFiles) }

// oomKills is how often the OOM killer struck; -1 where the kernel does not tell.
func oomKills() int64 { return counter(oomKillFiles, "oom_kill ") }

// pidsLimitHits is how many forks the pids limit refused; -1 where the kernel does not tell.
func pidsLimitHits() int64 { return counter(pidsMaxFiles, "max ") }

func value(files []string) int64 {
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
				return v
			}
		}
	}
	return -1
}

func counter(files []string, prefix string) int64 {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, prefix) {
				if v, err := strconv.ParseInt(strings.TrimSpace(line[len(prefix):]), 10, 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

func nowMs() int64 { return time.Now().UnixMilli() }

func sleepMs(ms int64) { time.Sleep(time.Duration(ms) * time.Millisecond) }
