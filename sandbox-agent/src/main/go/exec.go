package main

import (
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const chunk = 64 * 1024

// execRun is one EXEC: the program in a session of its own, its output streamed as it comes, the wall-clock and
// output limits enforced by killing the whole session, and a report of how it ended.
//
// The run ends when the main process exits. Whatever it left holding stdout or stderr (a `sleep &`) gets the
// leftover grace to finish, then is killed: an exec must answer, and long-lived work has its own request.
type execRun struct {
	out         *writer
	outputLimit int64
	outputBytes atomicInt64
	truncated   atomicBool
	finished    atomicBool
	scriptDir   string // holds a script sent with the request; deleted before EXIT, the next request may look
	scriptFile  string // the script in scriptDir

	mu      sync.Mutex
	verdict string
	pid     int
}

func (a *agent) exec(conn net.Conn, out *writer, q request) error {
	argv, err := q.strs(tagArgv)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		out.fail("BAD_REQUEST", "EXEC needs ARGV, the program and its arguments")
		return nil
	}
	argv = append([]string(nil), argv...)
	cwd, err := a.cwd(q)
	if err != nil {
		return err
	}
	if info, err := os.Stat(cwd); err != nil || !info.IsDir() {
		out.fail("BAD_CWD", "working directory "+cwd+" does not exist")
		return nil
	}
	extra, err := q.env(tagEnv)
	if err != nil {
		return err
	}
	env := environment(extra)
	timeoutMs, err := q.long(tagTimeoutMs, 0)
	if err != nil {
		return err
	}
	limit, err := q.long(tagOutputLimit, math.MaxInt64)
	if err != nil {
		return err
	}
	stdin, hasStdin, err := q.bytes(tagStdin)
	if err != nil {
		return err
	}
	script, hasScript, err := q.bytes(tagScript)
	if err != nil {
		return err
	}
	scriptDir, scriptFile := "", ""
	if hasScript {
		name, present, err := q.str(tagScriptName)
		if err != nil {
			return err
		}
		if !present {
			name = "script"
		}
		if scriptDir, err = a.writeScript(name, script, &argv); err != nil {
			return err
		}
		scriptFile = argv[len(argv)-1]
	}
	r := &execRun{out: out, outputLimit: limit, scriptDir: scriptDir, scriptFile: scriptFile}
	defer r.removeScript() // when the run failed; otherwise done before EXIT
	return r.run(conn, a, argv, env, cwd, stdin, hasStdin, timeoutMs)
}

func (a *agent) cwd(q request) (string, error) {
	cwd, present, err := q.str(tagCwd)
	if err != nil || !present {
		return a.settings.defaultCwd, err
	}
	if !filepath.IsAbs(cwd) {
		cwd = filepath.Join(a.settings.defaultCwd, cwd)
	}
	return filepath.Clean(cwd), nil
}

func (a *agent) writeScript(name string, script []byte, argv *[]string) (string, error) {
	if name == "" || strings.Contains(name, "/") {
		return "", badFrame("SCRIPT_NAME must be a plain file name, not '%s'", name)
	}
	if err := os.MkdirAll(a.settings.scratchDir, 0o755); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(a.settings.scratchDir, "exec-")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, script, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	*argv = append(*argv, file)
	return dir, nil
}

func (r *execRun) run(conn net.Conn, a *agent, argv, env []string, cwd string, stdin []byte, hasStdin bool,
	timeoutMs int64) error {
	oomBefore, pidsBefore := oomKills(), pidsLimitHits()
	started := time.Now()
	proc := a.startJob(argv, env, cwd, hasStdin, r.out)
	if proc == nil {
		return nil
	}
	defer proc.stdout.Close()
	defer proc.stderr.Close()
	pid, exited := proc.pid, proc.exited
	r.mu.Lock()
	r.pid = pid
	r.mu.Unlock()

	stdoutDone := r.pump(proc.stdout, msgStdout)
	stderrDone := r.pump(proc.stderr, msgStderr)
	if proc.stdin != nil {
		go func() {
			_, _ = proc.stdin.Write(stdin) // a program may exit without reading all of it: its business
			proc.stdin.Close()
		}()
	}
	go r.killWhenClientLeaves(conn)
	if err := r.out.fields(msgStarted, fields().long(tagPid, int64(pid))); err != nil {
		r.end("KILLED")
	}

	var status exitStatus
	if timeoutMs > 0 {
		timer := time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
		select {
		case status = <-exited:
			timer.Stop()
		case <-timer.C:
			r.end("TIMEOUT")
			status = <-exited
		}
	} else {
		status = <-exited
	}
	wall := time.Since(started)
	if oomBefore >= 0 && oomKills() > oomBefore {
		r.end("MEMORY_LIMIT")
	}
	if !waitBoth(stdoutDone, stderrDone, a.settings.leftoverGrace) {
		killSession(pid)
		waitBoth(stdoutDone, stderrDone, 2*time.Second)
	}
	r.finished.Store(true)
	r.mu.Lock()
	if r.verdict == "" && pidsBefore >= 0 && pidsLimitHits() > pidsBefore {
		// The program lived with refused forks (a fork bomb); its leftovers were killed above.
		r.verdict = "PIDS_LIMIT"
	}
	verdict := r.verdict
	r.mu.Unlock()
	if verdict == "" {
		verdict = "OK"
	}
	exit := fields().str(tagVerdict, verdict).boolean(tagTruncated, r.truncated.Load()).long(tagWallMs, wall.Milliseconds())
	// The run's own figures (its process and what it waited for), not the sandbox's: an account's sandbox runs
	// other processes beside it.
	exit.long(tagCPUMs, status.cpuNanos/1_000_000)
	if status.maxRSS > 0 {
		exit.long(tagPeakMemory, status.maxRSS)
	}
	if verdict == "OK" || verdict == "PIDS_LIMIT" {
		exit.long(tagExitCode, int64(status.code)) // the program ended by itself
	}
	r.removeScript()
	return r.out.fields(msgExit, exit)
}

// removeScript deletes the script and its directory, once: the file and the directory as they were written, or
// whatever the program left in the directory.
func (r *execRun) removeScript() {
	if r.scriptDir == "" {
		return
	}
	if os.Remove(r.scriptFile) != nil || os.Remove(r.scriptDir) != nil {
		os.RemoveAll(r.scriptDir)
	}
	r.scriptDir = ""
}

// end records why the run ended (the first reason wins) and kills its session.
func (r *execRun) end(why string) {
	r.mu.Lock()
	if r.verdict == "" {
		r.verdict = why
	}
	pid := r.pid
	r.mu.Unlock()
	if pid > 0 {
		killSession(pid)
	}
}

// pump passes a pipe on as frames of the given type, cutting the output at the limit.
func (r *execRun) pump(in *os.File, typ byte) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buffer := make([]byte, chunk)
		for {
			n, err := in.Read(buffer)
			if n > 0 {
				total := r.outputBytes.Add(int64(n))
				pass := n
				if total > r.outputLimit {
					pass = int(max64(0, int64(n)-(total-r.outputLimit)))
					r.truncated.Store(true)
					r.end("OUTPUT_LIMIT")
				}
				if pass > 0 {
					// A worker that went away is noticed by the connection watch; keep draining the pipe.
					_ = r.out.raw(typ, buffer[:pass])
				}
			}
			if err != nil {
				return // EOF: every writer closed it, or the process was killed
			}
		}
	}()
	return done
}

// killWhenClientLeaves: the worker sends nothing after EXEC, so the end of its stream before the run finished
// means it gave up.
func (r *execRun) killWhenClientLeaves(conn net.Conn) {
	one := make([]byte, 1)
	for !r.finished.Load() {
		if _, err := conn.Read(one); err != nil {
			break
		}
	}
	if !r.finished.Load() {
		r.end("KILLED")
	}
}

func waitBoth(a, b <-chan struct{}, grace time.Duration) bool {
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for _, ch := range []<-chan struct{}{a, b} {
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
	return true
}

// atomicInt64 and atomicBool are sync/atomic's Int64 and Bool, which need Go 1.19; Ubuntu 22.04 has 1.18.
type atomicInt64 struct{ v int64 }

func (a *atomicInt64) Load() int64           { return atomic.LoadInt64(&a.v) }
func (a *atomicInt64) Store(v int64)         { atomic.StoreInt64(&a.v, v) }
func (a *atomicInt64) Add(delta int64) int64 { return atomic.AddInt64(&a.v, delta) }

// raise stores v if it is larger than the value held, however many goroutines raise at once.
func (a *atomicInt64) raise(v int64) {
	for old := a.Load(); v > old && !atomic.CompareAndSwapInt64(&a.v, old, v); old = a.Load() {
	}
}

type atomicBool struct{ v int32 }

func (a *atomicBool) Load() bool { return atomic.LoadInt32(&a.v) != 0 }
func (a *atomicBool) Store(v bool) {
	var i int32
	if v {
		i = 1
	}
	atomic.StoreInt32(&a.v, i)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
