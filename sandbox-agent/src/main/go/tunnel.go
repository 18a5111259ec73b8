package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// tunnel connects to a port inside the sandbox and then carries bytes both ways between that connection and the
// client's: the path of a preview URL. It needs none of the sandbox's network, only its loopback, so it works in a
// sandbox without egress too.
func tunnel(conn net.Conn, out *writer, q request) error {
	port, err := q.long(tagPort, 0)
	if err != nil {
		return err
	}
	if port < 1 || port > 65535 {
		out.fail("BAD_REQUEST", fmt.Sprintf("port %d is not between 1 and 65535", port))
		return nil
	}
	target, err := dialLoopback(int(port))
	if err != nil {
		out.fail("CONNECT_REFUSED", fmt.Sprintf("nothing accepts connections on port %d inside the sandbox (%v)", port, err))
		return nil
	}
	defer target.Close()
	if err := out.fields(msgOK, nil); err != nil {
		return err
	}
	done := make(chan struct{}, 2)
	carry := func(to, from net.Conn) {
		_, _ = io.Copy(to, from)
		closeWrite(to)
		done <- struct{}{}
	}
	go carry(target, conn)
	go carry(conn, target)
	<-done
	<-done
	return nil
}

// dialLoopback finds a server on the IPv4 loopback, then the IPv6 one (Node's "localhost" may mean ::1): a server
// bound to 0.0.0.0, :: or either loopback is reached.
func dialLoopback(port int) (net.Conn, error) {
	p := strconv.Itoa(port)
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", p), 5*time.Second)
	if err == nil {
		return c, nil
	}
	if c6, err6 := net.DialTimeout("tcp", net.JoinHostPort("::1", p), 5*time.Second); err6 == nil {
		return c6, nil
	}
	return nil, err
}

// closeWrite tells the peer no more bytes come, while its answer may still be read.
func closeWrite(c net.Conn) {
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = hc.CloseWrite()
		return
	}
	_ = c.Close()
}
