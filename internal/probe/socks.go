package probe

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
)

// SOCKSCheck is what a SOCKS5 proxy answered a CONNECT to the endpoint (RFC 1928, 1929),
// asked again after the request through it failed: Go reports its reply only as text.
type SOCKSCheck struct {
	// Method is the authentication method the proxy chose among none (0x00) and
	// username/password (0x02), both offered; 0xFF: it accepts neither.
	Method byte
	// CredentialsSent: the proxy URL has a username and password, offered when asked.
	CredentialsSent bool
	// AuthFailed: the proxy refused the username and password of the proxy URL.
	AuthFailed bool
	// Replied: the proxy answered the CONNECT; Reply is its code (0 succeeded).
	Replied bool
	Reply   byte
}

// SOCKS reply codes and methods the diagnosis reads.
const (
	SOCKSMethodNone           byte = 0x00
	SOCKSMethodPassword       byte = 0x02
	SOCKSMethodNoneAcceptable byte = 0xFF
)

// SOCKSReplyText is RFC 1928's name of a reply code.
func SOCKSReplyText(code byte) string {
	texts := []string{
		"succeeded", "general SOCKS server failure", "connection not allowed by ruleset", "network unreachable",
		"host unreachable", "connection refused", "TTL expired", "command not supported", "address type not supported",
	}
	if int(code) < len(texts) {
		return texts[code]
	}
	return "unknown code " + strconv.Itoa(int(code))
}

func isSOCKS(proxy *url.URL) bool {
	return proxy != nil && (proxy.Scheme == "socks5" || proxy.Scheme == "socks5h")
}

// checkSOCKS asks proxy for a tunnel to target the way Go's transport does (the host name is
// sent, not resolved here), and records each answer. Only the proxy's own credentials are
// sent, never the probe's; the tunnel is closed as soon as the proxy has answered.
func checkSOCKS(ctx context.Context, proxy *url.URL, target string) *SOCKSCheck {
	conn, err := dialBounded(ctx, &net.Dialer{}, proxyAddress(proxy))
	if err != nil {
		return nil
	}
	defer func() { _ = conn.Close() }()
	sc := &SOCKSCheck{CredentialsSent: proxy.User != nil}
	if _, err := conn.Write([]byte{5, 2, SOCKSMethodNone, SOCKSMethodPassword}); err != nil {
		return nil
	}
	var choice [2]byte
	if _, err := io.ReadFull(conn, choice[:]); err != nil || choice[0] != 5 {
		return nil
	}
	sc.Method = choice[1]
	switch sc.Method {
	case SOCKSMethodNone:
	case SOCKSMethodPassword:
		if proxy.User == nil {
			return sc
		}
		if ok, err := socksPassword(conn, proxy.User); err != nil || !ok {
			sc.AuthFailed = err == nil
			return sc
		}
	default:
		return sc
	}
	host, port, err := net.SplitHostPort(target)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil || len(host) > 255 {
		return sc
	}
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	req = append(req, byte(p>>8), byte(p))
	if _, err := conn.Write(req); err != nil {
		return sc
	}
	var reply [2]byte
	if _, err := io.ReadFull(conn, reply[:]); err == nil && reply[0] == 5 {
		sc.Replied, sc.Reply = true, reply[1]
	}
	return sc
}

// socksPassword runs RFC 1929's username/password exchange.
func socksPassword(conn net.Conn, user *url.Userinfo) (bool, error) {
	name := user.Username()
	pass, _ := user.Password()
	if len(name) == 0 || len(name) > 255 || len(pass) > 255 {
		return false, errors.New("credentials a SOCKS proxy cannot take")
	}
	msg := append([]byte{1, byte(len(name))}, name...)
	msg = append(append(msg, byte(len(pass))), pass...)
	if _, err := conn.Write(msg); err != nil {
		return false, err
	}
	var status [2]byte
	if _, err := io.ReadFull(conn, status[:]); err != nil {
		return false, err
	}
	return status[1] == 0, nil
}
