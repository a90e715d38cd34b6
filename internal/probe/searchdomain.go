package probe

import (
	"bufio"
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// resolvConf is where Go's resolver reads the search list and ndots on Linux.
const resolvConf = "/etc/resolv.conf"

// searchCache holds resolv.conf's search list and ndots, read again at most every five
// seconds, as Go's resolver does: every direct request asks for them, every run.
var searchCache struct {
	sync.Mutex
	read   time.Time
	search []string
	ndots  int
}

const resolvConfRecheck = 5 * time.Second

// searchConfig is the search list and ndots of resolv.conf, as Go's resolver applies them.
func searchConfig() (search []string, ndots int) {
	c := &searchCache
	c.Lock()
	defer c.Unlock()
	if c.read.IsZero() || time.Since(c.read) >= resolvConfRecheck {
		c.search, c.ndots = readSearchConfig()
		c.read = time.Now()
	}
	return c.search, c.ndots
}

func readSearchConfig() (search []string, ndots int) {
	ndots = 1
	f, err := os.Open(resolvConf)
	if err != nil {
		return nil, ndots
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "search", "domain":
			search = fields[1:]
		case "options":
			for _, o := range fields[1:] {
				if v, ok := strings.CutPrefix(o, "ndots:"); ok {
					if n, err := strconv.Atoi(v); err == nil {
						ndots = n
					}
				}
			}
		}
	}
	return search, ndots
}

// checkSearchDomain finds whether host, resolved here to peer, went through a search suffix:
// the rooted name ("host.") does not have peer, and "host.suffix." does. nil otherwise.
func checkSearchDomain(ctx context.Context, host, peer string) *SearchDomain {
	if peer == "" || net.ParseIP(host) != nil || strings.HasSuffix(host, ".") {
		return nil
	}
	search, ndots := searchConfig()
	if len(search) == 0 || strings.Count(host, ".") >= ndots {
		return nil
	}
	var r net.Resolver
	rooted, _ := r.LookupHost(ctx, host+".")
	if slices.Contains(rooted, peer) {
		return nil
	}
	for _, suffix := range search {
		addrs, err := r.LookupHost(ctx, host+"."+strings.TrimSuffix(suffix, ".")+".")
		if err == nil && slices.Contains(addrs, peer) {
			return &SearchDomain{Suffix: strings.TrimSuffix(suffix, "."), SuffixAddresses: addrs, RootedAddresses: rooted}
		}
	}
	return nil
}
