package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Children are reaped by one goroutine woken by SIGCHLD, not by a thread blocked in wait4 per child: under a
// fork bomb the sandbox may have no pid left for a new thread.

type exitStatus struct {
	code int // the exit code, or 128 + the signal that killed it, as a shell reports it
	// What the process and the descendants it waited for used, as wait4 tells: the run's own figures, whatever else
	// runs in the sandbox beside it (an account's sandbox keeps its background processes).
	cpuNanos int64
	maxRSS   int64 // bytes: the largest resident set of one of them
}

var children = struct {
	sync.Mutex
	waiting map[int]chan exitStatus
	early   map[int]exitStatus // exited before spawn() registered them
}{waiting: map[int]chan exitStatus{}, early: map[int]exitStatus{}}

func startReaper() {
	sigchld := make(chan os.Signal, 1)
	signal.Notify(sigchld, syscall.SIGCHLD)
	go func() {
		for range sigchld {
			reap()
		}
	}()
}

func reap() {
	for {
		var status syscall.WaitStatus
		var usage syscall.Rusage
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, &usage)
		if err == syscall.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
		code := status.ExitStatus()
		if status.Signaled() {
			code = 128 + int(status.Signal())
		}
		ended := exitStatus{code, usage.Utime.Nano() + usage.Stime.Nano(), usage.Maxrss * 1024}
		children.Lock()
		if ch, ok := children.waiting[pid]; ok {
			delete(children.waiting, pid)
			ch <- ended
		} else {
			children.early[pid] = ended
		}
		children.Unlock()
	}
}

// spawnSpec is a process to start: argv[0] already resolved to a path.
type spawnSpec struct {
	argv  []string
	env   []string
	dir   string
	files []uintptr // stdin, stdout, stderr
	// oomProne makes the process the OOM killer's first pick (oom_score_adj 1000), not the agent.
	oomProne bool
}

var oomMu sync.Mutex
var ownOomScore = readOwnOomScore() // guarded by oomMu; empty when unknown or not restorable

func readOwnOomScore() string {
	b, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// spawn starts the process as the leader of a session of its own and returns its pid and a channel that gets
// its exit status.
func spawn(spec spawnSpec) (int, <-chan exitStatus, error) {
	attr := &syscall.ProcAttr{
		Dir:   spec.dir,
		Env:   spec.env,
		Files: spec.files,
		Sys:   &syscall.SysProcAttr{Setsid: true},
	}
	var pid int
	var err error
	if spec.oomProne {
		pid, err = forkOomProne(spec.argv, attr)
	} else {
		pid, err = syscall.ForkExec(spec.argv[0], spec.argv, attr)
	}
	if err != nil {
		return 0, nil, err
	}
	ch := make(chan exitStatus, 1)
	children.Lock()
	if st, ok := children.early[pid]; ok {
		delete(children.early, pid)
		ch <- st
	} else {
		children.waiting[pid] = ch
	}
	children.Unlock()
	return pid, ch, nil
}

// launched is a started job process with the agent's ends of its pipes.
type launched struct {
	pid    int
	exited <-chan exitStatus
	stdout *os.File
	stderr *os.File
	stdin  *os.File // nil when its input is /dev/null
}

// launch starts a job process (its own session, the OOM killer's first pick) with its output on pipes the agent
// reads and its input on a pipe the agent writes (withStdin) or /dev/null.
func launch(argv, env []string, dir string, withStdin bool) (*launched, error) {
	var theirs []int    // the child's ends, closed here once it has them
	var mine []*os.File // the agent's ends, closed here only on failure
	fail := func(err error) (*launched, error) {
		for _, fd := range theirs {
			syscall.Close(fd)
		}
		for _, f := range mine {
			f.Close()
		}
		return nil, err
	}
	stdout, stdoutW, err := pipe(false)
	if err != nil {
		return fail(err)
	}
	mine, theirs = append(mine, stdout), append(theirs, stdoutW)
	stderr, stderrW, err := pipe(false)
	if err != nil {
		return fail(err)
	}
	mine, theirs = append(mine, stderr), append(theirs, stderrW)
	var stdin *os.File
	var stdinR int
	if withStdin {
		if stdin, stdinR, err = pipe(true); err != nil {
			return fail(err)
		}
		mine = append(mine, stdin)
	} else if stdinR, err = syscall.Open(os.DevNull, syscall.O_RDONLY|syscall.O_CLOEXEC, 0); err != nil {
		return fail(err)
	}
	theirs = append(theirs, stdinR)
	pid, exited, err := spawn(spawnSpec{
		argv:     argv,
		env:      env,
		dir:      dir,
		files:    []uintptr{uintptr(stdinR), uintptr(stdoutW), uintptr(stderrW)},
		oomProne: true,
	})
	if err != nil {
		return fail(err)
	}
	for _, fd := range theirs {
		syscall.Close(fd)
	}
	return &launched{pid: pid, exited: exited, stdout: stdout, stderr: stderr, stdin: stdin}, nil
}

// startJob finds the program in the PATH the job gets, launches it and records its session; when it cannot, it
// answers SPAWN_FAILED naming the program and returns nil.
func (a *agent) startJob(argv, env []string, cwd string, withStdin bool, out *writer) *launched {
	program, found := lookPath(argv[0], cwd, env)
	if !found {
		out.fail("SPAWN_FAILED", "cannot start "+argv[0]+": no such program")
		return nil
	}
	proc, err := launch(append([]string{program}, argv[1:]...), env, cwd, withStdin)
	if err != nil {
		out.fail("SPAWN_FAILED", "cannot start "+argv[0]+": "+err.Error())
		return nil
	}
	a.sessions.started(proc.pid)
	return proc
}

// forkOomProne starts a process with oom_score_adj 1000. The score is inherited at fork and can only be set from
// inside the process, so the agent wears 1000 for the instant of the fork and takes its own back: lowering it
// again to the value it started with needs no privilege.
func forkOomProne(argv []string, attr *syscall.ProcAttr) (int, error) {
	oomMu.Lock()
	defer oomMu.Unlock()
	if ownOomScore == "" {
		return syscall.ForkExec(argv[0], argv, attr)
	}
	_ = os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if werr := os.WriteFile("/proc/self/oom_score_adj", []byte(ownOomScore), 0); werr != nil {
		// The kernel refused to give the score back: the agent stays as likely an OOM pick as its jobs.
		fmt.Fprintln(os.Stderr, "paperpod agent: cannot restore its oom_score_adj to", ownOomScore+":", werr)
		ownOomScore = ""
	}
	return pid, err
}

// lookPath finds a program as execvp would, in the PATH the process will get.
func lookPath(program, dir string, env []string) (string, bool) {
	if strings.Contains(program, "/") {
		p := program
		if !strings.HasPrefix(p, "/") {
			p = dir + "/" + p
		}
		return program, executable(p)
	}
	path := "/usr/local/bin:/usr/bin:/bin"
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			path = kv[5:]
		}
	}
	for _, d := range strings.Split(path, ":") {
		if d != "" && executable(d+"/"+program) {
			return d + "/" + program, true
		}
	}
	return "", false
}

func executable(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir() && syscall.Access(p, 1 /* X_OK */) == nil
}

// environment is the agent's own with the request's added over it.
func environment(extra [][2]string) []string {
	if len(extra) == 0 {
		return os.Environ()
	}
	index := map[string]int{}
	env := os.Environ()
	for i, kv := range env {
		if eq := strings.IndexByte(kv, '='); eq > 0 {
			index[kv[:eq]] = i
		}
	}
	for _, kv := range extra {
		entry := kv[0] + "=" + kv[1]
		if i, ok := index[kv[0]]; ok {
			env[i] = entry
		} else {
			index[kv[0]] = len(env)
			env = append(env, entry)
		}
	}
	return env
}

// pipe returns a pipe's end for the agent, which it polls, and the other end for the child, left blocking as
// programs expect. The agent reads the child's output, or writes its input when agentWrites.
func pipe(agentWrites bool) (*os.File, int, error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return nil, 0, err
	}
	mine, theirs := fds[0], fds[1]
	if agentWrites {
		mine, theirs = fds[1], fds[0]
	}
	if err := syscall.SetNonblock(mine, true); err != nil {
		syscall.Close(mine)
		syscall.Close(theirs)
		return nil, 0, err
	}
	return os.NewFile(uintptr(mine), "pipe"), theirs, nil
}

// --- processes as /proc shows them ---

// stat returns the fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, session, …
func stat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 || end+2 > len(s) {
		return nil
	}
	return strings.Fields(s[end+2:])
}

func sessionOf(pid int) int {
	f := stat(pid)
	if len(f) < 4 {
		return -1
	}
	sid, err := strconv.Atoi(f[3])
	if err != nil {
		return -1
	}
	return sid
}

// alive: the process exists and is not a zombie waiting to be reaped.
func alive(pid int) bool {
	f := stat(pid)
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// running lists live processes other than the agent and init for which belongs holds.
func running(belongs func(pid int) bool) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || pid == 1 {
			continue
		}
		if belongs(pid) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func inSession(sid int) func(int) bool {
	return func(pid int) bool { return sessionOf(pid) == sid }
}

// killAll SIGKILLs every process that belongs, again and again (a process may fork while its siblings die),
// until none is left or the deadline passes. Signals only, never a program: a fork bomb leaves no pid for one.
func killAll(belongs func(int) bool, deadlineMs int64) int {
	killed := 0
	deadline := nowMs() + deadlineMs
	for {
		victims := running(belongs)
		if len(victims) == 0 || nowMs() >= deadline {
			return killed
		}
		for _, pid := range victims {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
		sleepMs(10)
	}
}

// killSession kills a run's session (the program leads it, so its id is the program's pid): its process group at
// once, then whatever left the group but not the session.
func killSession(sid int) {
	_ = syscall.Kill(-sid, syscall.SIGKILL)
	killAll(inSession(sid), 2_000)
}

// sessions the agent started: every process of a job belongs to one, unless it left it.
type sessions struct {
	mu  sync.Mutex
	ids map[int]bool
}

func newSessions() *sessions { return &sessions{ids: map[int]bool{}} }

func (s *sessions) started(sid int) {
	s.mu.Lock()
	s.ids[sid] = true
	s.mu.Unlock()
}

func (s *sessions) contains(sid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[sid]
}

func (s *sessions) clear() {
	s.mu.Lock()
	s.ids = map[int]bool{}
	s.mu.Unlock()
}
