// The PaperPod sandbox agent: serves exec, files, background processes, tunnels and reset over a Unix socket inside a
// sandbox container. docs/agent-protocol.md is its contract; the Java client in this module speaks it.
//
// Usage: paperpod-agent <socket-path>. Settings come from the environment (see settingsFromEnv).
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// protocolVersion is bumped when a message changes meaning; fields may be added without a bump.
const protocolVersion = 1

// settings say how the agent behaves where it runs.
type settings struct {
	scratchDir       string        // where scripts sent with a request are written
	defaultCwd       string        // working directory when a request names none
	leftoverGrace    time.Duration // how long processes left by an exec may keep its output open
	resetDirs        []string      // directories whose contents a RESET wipes
	ownsPidNamespace bool          // inside a sandbox: every process but the agent and init is a job's
}

func settingsFromEnv() settings {
	cwd := envOr("PAPERPOD_AGENT_CWD", "/workspace")
	if info, err := os.Stat(cwd); err != nil || !info.IsDir() {
		cwd, _ = os.Getwd()
	}
	var resetDirs []string
	for _, d := range strings.Split(os.Getenv("PAPERPOD_AGENT_RESET_DIRS"), ":") {
		if strings.TrimSpace(d) != "" {
			resetDirs = append(resetDirs, d)
		}
	}
	return settings{
		scratchDir:       envOr("PAPERPOD_AGENT_SCRATCH", filepath.Join(os.TempDir(), "paperpod")),
		defaultCwd:       cwd,
		leftoverGrace:    200 * time.Millisecond,
		resetDirs:        resetDirs,
		ownsPidNamespace: os.Getenv("PAPERPOD_AGENT_OWNS_PID_NAMESPACE") == "true",
	}
}

func envOr(name, absent string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return absent
}

type agent struct {
	settings   settings
	started    time.Time
	sessions   *sessions
	background *backgroundProcesses
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: paperpod-agent <socket-path>")
		os.Exit(2)
	}
	// Two cores are plenty for an agent, whatever the host has.
	runtime.GOMAXPROCS(2)
	prewarmThreads(12)
	startReaper()
	a := &agent{settings: settingsFromEnv(), started: time.Now(), sessions: newSessions()}
	a.background = newBackgroundProcesses(a)
	socket := os.Args[1]
	if err := a.serve(socket); err != nil {
		fmt.Fprintln(os.Stderr, "paperpod agent:", err)
		os.Exit(1)
	}
}

// prewarmThreads makes the runtime start n OS threads now and keep them idle: a fork bomb can take every pid of
// the sandbox within milliseconds, and a Go program that then needs a new thread for a blocking call dies. Idle
// threads are reused, never released.
func prewarmThreads(n int) {
	var ready sync.WaitGroup
	release := make(chan struct{})
	var done sync.WaitGroup
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func() {
			runtime.LockOSThread()
			ready.Done()
			<-release
			runtime.UnlockOSThread()
			done.Done()
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
}

func (a *agent) serve(socket string) error {
	if err := os.MkdirAll(filepath.Dir(socket), 0o755); err != nil {
		return err
	}
	_ = os.Remove(socket)
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return err
	}
	// The worker connects from the host, possibly as another uid once user namespaces map ours.
	if err := os.Chmod(socket, 0o666); err != nil {
		return err
	}
	fmt.Println("paperpod agent ready on " + socket)
	for {
		conn, err := listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Out of file descriptors, say: keep serving once some are back.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go a.handle(conn)
	}
}

func (a *agent) handle(conn net.Conn) {
	defer conn.Close()
	out := &writer{conn: conn}
	defer func() {
		if r := recover(); r != nil {
			out.fail("AGENT_ERROR", fmt.Sprint(r))
		}
	}()
	req, err := readFrame(conn)
	if err == nil {
		err = a.dispatch(conn, out, req)
	}
	var bad *protocolError
	switch {
	case err == nil, errors.Is(err, io.EOF):
	case errors.As(err, &bad):
		out.fail("BAD_FRAME", bad.msg)
	default:
		// The worker went away, or the answer could not be written: nothing to answer.
	}
}

func (a *agent) dispatch(conn net.Conn, out *writer, req frame) error {
	parse := func() (request, error) { return parseFields(req.payload) }
	switch req.typ {
	case msgPing:
		return out.fields(msgPong, fields().
			long(tagVersion, protocolVersion).
			long(tagPid, int64(os.Getpid())).
			long(tagUptimeMs, time.Since(a.started).Milliseconds()))
	case msgExec:
		q, err := parse()
		if err != nil {
			return err
		}
		return a.exec(conn, out, q)
	case msgStats:
		return out.fields(msgStatsDone, a.stats())
	case msgReset:
		a.background.clear()
		return out.fields(msgResetDone, a.reset())
	case msgFileWrite, msgFileRead, msgFileList, msgMkdir, msgDelete, msgMove:
		q, err := parse()
		if err != nil {
			return err
		}
		return a.files(conn, out, req.typ, q)
	case msgProcStart:
		q, err := parse()
		if err != nil {
			return err
		}
		return a.background.start(q, out)
	case msgProcList:
		return a.background.list(out)
	case msgProcLogs:
		q, err := parse()
		if err != nil {
			return err
		}
		return a.background.logs(q, conn, out)
	case msgProcKill:
		q, err := parse()
		if err != nil {
			return err
		}
		return a.background.kill(q, out)
	case msgTunnel:
		q, err := parse()
		if err != nil {
			return err
		}
		return tunnel(conn, out, q)
	default:
		out.fail("UNKNOWN_TYPE", fmt.Sprintf("unknown request type %d", int8(req.typ)))
		return nil
	}
}
