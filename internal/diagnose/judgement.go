package diagnose

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"

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

	// Derived once, on first use: several rules read them.
	rootDone, whoDone bool
	rootOK            bool
	rootJSON          answers.Root
	rootErr           error // why Elasticsearch's 200 did not parse as its root
	licenseDone       bool
	licenseJSON       *answers.License
	who               string
}

func newJudgement(ev *probe.Evidence, c Context) *judgement {
	j := &judgement{ev: ev, c: c}
	if ev.Main.Response == nil || ev.Main.Err != nil {
		j.err = ev.Main.Err
		if j.err == nil {
			j.err = errors.New("no response")
		}
		j.inner = j.err
		var ue *url.Error
		if errors.As(j.err, &ue) {
			j.inner = ue.Err
		}
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

// root is the cluster's root JSON when Elasticsearch itself answered it with 200.
func (j *judgement) root() (answers.Root, bool) {
	if !j.rootDone {
		j.rootDone = true
		r := j.answer()
		if !j.cluster() || r == nil || r.Status != 200 || j.answeredBy() != "" {
			return j.rootJSON, false
		}
		if _, byProxy := j.proxyRefusal(); byProxy {
			return j.rootJSON, false
		}
		j.rootJSON, j.rootErr = answers.ParseRoot(r.Body)
		j.rootOK = j.rootErr == nil
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
