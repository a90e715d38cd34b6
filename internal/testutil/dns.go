package testutil

import (
	"net"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSServer answers A queries over UDP on addr: names in records get their address ("*.x"
// answers every name under x, as a wildcard record does), any other name gets NXDOMAIN. It
// returns the address it listens on.
func DNSServer(t testing.TB, addr string, records map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ServeDNS(t, pc, records)
	return pc.LocalAddr().String()
}

// ServeDNS answers on pc as DNSServer does, until the test ends.
func ServeDNS(t testing.TB, pc net.PacketConn, records map[string]string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply, ok := dnsReply(buf[:n], records); ok {
				_, _ = pc.WriteTo(reply, from)
			}
		}
	}()
	t.Cleanup(func() { _ = pc.Close(); <-done })
}

func dnsReply(query []byte, records map[string]string) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	name := strings.TrimSuffix(q.Name.String(), ".")
	resp := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true},
		Questions: []dnsmessage.Question{q},
	}
	ip, ok := lookupRecord(records, name)
	switch {
	case !ok:
		resp.RCode = dnsmessage.RCodeNameError
	case q.Type == dnsmessage.TypeA:
		a := net.ParseIP(ip).To4()
		resp.Answers = []dnsmessage.Resource{{
			Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 5},
			Body:   &dnsmessage.AResource{A: [4]byte(a)},
		}}
	}
	out, err := resp.Pack()
	return out, err == nil
}

func lookupRecord(records map[string]string, name string) (string, bool) {
	if ip, ok := records[name]; ok {
		return ip, true
	}
	for key, ip := range records {
		if suffix, wild := strings.CutPrefix(key, "*."); wild && strings.HasSuffix(name, "."+suffix) {
			return ip, true
		}
	}
	return "", false
}
