package diagnose

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// judgement is the evidence of one run as the rules read it, with what several rules derive
// from it computed once.
type judgement struct {
	ev *probe.Evidence
	c  Context
	// err is the main exchange's error ("no response" when none came), inner without
	// url.Error's prefix, which repeats the URL.
	err, inner error

	// Derived once, on first use: several rules read them. The flags stay side by side, where
	// they share one word.
	rootDone, whoDone bool
	rootOK            bool
	pinnedDone        bool
	pinnedOK          bool
	abandonedDone     bool
	parentDone        bool
	rootJSON          answers.Root
	rootErr           error // why Elasticsearch's 200 did not parse as its root
	licenseDone       bool
	licenseJSON       *answers.License
	who               string
	pinned            *x509.Certificate // pinnedLeaf's certificate
	abandoned         []string          // fallbackAbandoned's addresses
	parentRefusal     refusal           // proxyParent's refusal
	parent            string            // and the parent it names
}

func newJudgement(ev *probe.Evidence, c Context) *judgement {
	j := &judgement{ev: ev, c: c}
	if ev.Main.Response == nil || ev.Main.Err != nil {
		j.err = ev.Main.Err
		if j.err == nil {
			j.err = errors.New("no response")
		}
		j.inner = unwrapURLError(j.err)
	}
	return j
}

// answer is the main exchange's answer when it came complete; nil otherwise.
func (j *judgement) answer() *probe.Response {
	if j.err != nil {
		return nil
	}
	return j.ev.Main.Response
}

func (j *judgement) cluster() bool { return j.ev.Probe == probe.Cluster }

// root is the cluster's root JSON when Elasticsearch itself answered it with 200 (answers'
// ElasticsearchRoot, the test the probe's follow-ups read too).
func (j *judgement) root() (answers.Root, bool) {
	if !j.rootDone {
		j.rootDone = true
		r := j.answer()
		if !j.cluster() || r == nil {
			return j.rootJSON, false
		}
		j.rootJSON, j.rootErr = answers.ElasticsearchRoot(r.Answer())
		j.rootOK = j.rootErr == nil
		if errors.Is(j.rootErr, answers.ErrNotElasticsearch) {
			j.rootErr = nil
		}
	}
	return j.rootJSON, j.rootOK
}

// answeredBy names what answered in Elasticsearch's place ("" for Elasticsearch, or no answer).
func (j *judgement) answeredBy() string {
	if !j.whoDone {
		j.whoDone = true
		if r := j.answer(); r != nil {
			j.who = answeredBy(r)
		}
	}
	return j.who
}

// missingPrivileges are what _has_privileges says the credentials lack.
func (j *judgement) missingPrivileges() []string {
	if p := j.ev.Privileges; p != nil && p.Response != nil && p.Response.Status == 200 {
		missing, _ := answers.MissingPrivileges(p.Response.Body)
		return missing
	}
	return nil
}

// answeredByWho names what answered in Elasticsearch's place, for not_elasticsearch.
func (j *judgement) answeredByWho() string {
	if isTransportPort(j.ev) {
		return AnsweredByTransportPort
	}
	return j.answeredBy()
}

// target is host:port of the endpoint, as failure sentences name it.
func (j *judgement) target() string {
	return net.JoinHostPort(j.ev.ServerAddress, strconv.Itoa(j.ev.ServerPort))
}

func (j *judgement) isHTTP() bool { return len(j.ev.URL) >= 7 && j.ev.URL[:7] == "http://" }

// errorAs finds a T in the main exchange's error. The variable is declared only when there is
// an error to search: a passing run allocates nothing here.
func errorAs[T any](j *judgement) (T, bool) {
	if j.err == nil {
		var none T
		return none, false
	}
	var target T
	ok := errors.As(j.err, &target)
	return target, ok
}

// sentence formats an evidence sentence.
func sentence(format string, args ...any) (string, bool) { return fmt.Sprintf(format, args...), true }

// judgedServer is the Server header of the answer a failure was judged from: the main answer,
// or a proxy's answer to CONNECT for the proxy's refusals.
func (j *judgement) judgedServer(errorType string) string {
	if errorType == RequestBodyTooLarge {
		if ex, _ := j.batchRefused(); ex != nil && ex.Response != nil {
			return ex.Response.Server
		}
		return ""
	}
	if r := j.answer(); r != nil {
		return r.Server
	}
	switch errorType {
	case ProxyAuthUnsupported, ProxyAuthRequired, ProxyBlocked, ProxyUpstreamError:
		if rf, ok := j.proxyRefusal(); ok {
			return rf.answer.Server
		}
	}
	return ""
}

// rootHTTPError: the cluster's GET / was answered 401, 403 or 404, by whatever answered
// there: agents 9.2.5 and later exit on these.
func (j *judgement) rootHTTPError() bool {
	r := j.answer()
	return j.cluster() && r != nil && (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || r.Status == http.StatusNotFound)
}

// license is what GET /_license answered with 200, parsed once; nil otherwise.
func (j *judgement) license() *answers.License {
	if !j.licenseDone {
		j.licenseDone = true
		if ex := j.ev.License; ex != nil && ex.Response != nil && ex.Response.Status == 200 {
			if lic, err := answers.ParseLicense(ex.Response.Body); err == nil {
				j.licenseJSON = &lic
			}
		}
	}
	return j.licenseJSON
}

// What the judgement derives from the answer: who made it, and whether a proxy refused in
// the destination's place. The rules read these; nothing here reads a rule.

// answeredBy names what answered the cluster probe when the answer is not Elasticsearch's
// (answers.IsElasticsearch), or "" when it is.
func answeredBy(r *probe.Response) string {
	a := r.Answer()
	switch {
	case answers.IsElasticsearch(a):
		return ""
	case answers.IsKibana(a):
		return AnsweredByKibana
	case answers.IsOpenSearchRoot(r.Body):
		return AnsweredByOpenSearch
	case looksHTML(r):
		return AnsweredByWebServer
	}
	return AnsweredByUnknown
}

func looksHTML(r *probe.Response) bool {
	return strings.HasPrefix(r.ContentType, "text/html") || bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<"))
}

// refusal is a proxy's own answer instead of the destination's: to CONNECT, or to a
// plain-http request it should have forwarded.
type refusal struct {
	proxy  string
	answer *probe.Response
	// page: a plain-http answer that only its status and page show to be the proxy's.
	page bool
}

// said is the refusal's status line as the proxy sent it (its own reason phrase, privoxy's
// "503 Connect failed", never Go's status text), with squid's reason.
func (r refusal) said() string {
	line := strconv.Itoa(r.answer.Status)
	if r.answer.Reason != "" {
		line += " " + r.answer.Reason
	}
	s := fmt.Sprintf("%q", line)
	if r.answer.SquidError != "" {
		s += " (squid: " + r.answer.SquidError + ")"
	}
	return s
}

// saidWithPage is said and the text of the proxy's page, bounded: the proxy's own words on
// why (privoxy names the parent proxy it could not reach). Both are scrubbed with the
// evidence.
func (r refusal) saidWithPage() string {
	text := pageText(r.answer.Body)
	if text == "" {
		return r.said()
	}
	return r.said() + " with the page " + text
}

// maxPageQuote bounds the text quoted from a proxy's page.
const maxPageQuote = 400

var markup = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>|<[^>]*>`)

// pageText is the text of a page without its markup, on one line, bounded and quoted; "" for
// an empty page.
func pageText(body []byte) string {
	text := pageWords(body)
	if text == "" {
		return ""
	}
	return snippetOf([]byte(text), maxPageQuote)
}

// pageWords is the text of a page without its markup, its spaces collapsed to single ones.
func pageWords(body []byte) string {
	return strings.Join(strings.Fields(markup.ReplaceAllString(string(body), " ")), " ")
}

// proxyRefusal is a proxy's refusal in the destination's place, when the evidence shows one.
func (j *judgement) proxyRefusal() (refusal, bool) {
	ev := j.ev
	if j.err != nil {
		if ev.Proxy == "" || !ev.Handshake.ProxyRefused() {
			return refusal{}, false
		}
		return refusal{proxy: ev.Proxy, answer: ev.Handshake.ProxyAnswer}, true
	}
	r := j.answer()
	if r.Status == http.StatusProxyAuthRequired {
		return refusal{proxy: orDirect(ev.Proxy), answer: r}, true
	}
	if ev.Proxy == "" || r.ElasticProduct != "" {
		return refusal{}, false
	}
	if r.SquidError != "" {
		return refusal{proxy: ev.Proxy, answer: r}, true
	}
	// The cluster always proves itself with X-Elastic-Product; Elastic Cloud answers in JSON.
	// Anything else refusing or failing on a proxied request is the proxy's own page.
	if (j.cluster() || !json.Valid(r.Body)) && (r.Status == http.StatusForbidden || r.Status >= 500) {
		return refusal{proxy: ev.Proxy, answer: r, page: true}, true
	}
	return refusal{}, false
}

// orDirect names the proxy, or says the answer came from something in the path.
func orDirect(proxy string) string {
	if proxy == "" {
		return "in the path"
	}
	return proxy
}

// socksRefusal is a SOCKS proxy's refusal of the tunnel, asked again by hand.
func (j *judgement) socksRefusal() (*probe.SOCKSCheck, bool) {
	sc := j.ev.SOCKS
	if j.err == nil || j.ev.Proxy == "" || sc == nil {
		return nil, false
	}
	return sc, sc.Method != probe.SOCKSMethodNone && sc.Method != probe.SOCKSMethodPassword || sc.AuthFailed ||
		sc.Method == probe.SOCKSMethodPassword && !sc.CredentialsSent || sc.Replied && sc.Reply != 0
}

// isTransportPort: Elasticsearch's transport port answered the plaintext request.
func isTransportPort(ev *probe.Evidence) bool {
	return bytes.HasPrefix(ev.RawReply, []byte(answers.TransportPortReply))
}

// cutAnswer is a proxy's answer the probe read by hand and cut at its bound (a proxy that
// floods), and what it answered; nil when there was none.
func (j *judgement) cutAnswer() (*probe.AnswerTooLarge, string) {
	ev := j.ev
	if j.err == nil || ev.Proxy == "" {
		return nil, ""
	}
	if hc := ev.Handshake; hc != nil && hc.ProxyAnswerTooLarge != nil {
		return hc.ProxyAnswerTooLarge, "CONNECT to " + j.target()
	}
	if ev.PlainConnectTooLarge != nil {
		return ev.PlainConnectTooLarge, "a plaintext CONNECT to " + j.target()
	}
	return nil, ""
}
