package autoopsreceiver

import (
	"reflect"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// Marshal writes the settings that differ from the defaults. The collector marshals every
// component's configuration and keeps the result while it runs (the effective-configuration
// snapshot, print-config): written out in full, the defaults of a thousand instances cost
// megabytes there. Unmarshaled again, the result is the same configuration. Secrets stay
// configopaque values, so the collector's own encoder redacts them or not, as asked
// (print-config --mode unredacted).
func (cfg Config) Marshal(conf *confmap.Conf) error {
	type plain Config // the same fields, without this method
	full, redacted := confmap.New(), confmap.New()
	if err := full.Marshal(plain(cfg), xconfmap.WithUnredacted()); err != nil {
		return err
	}
	if err := redacted.Marshal(plain(cfg)); err != nil {
		return err
	}
	defaults, err := marshaledDefaults()
	if err != nil {
		return err
	}
	changed, _ := prune(full.ToStringMap(), redacted.ToStringMap(), defaults).(map[string]any)
	hideAlways(changed)
	return conf.Merge(confmap.NewFromStringMap(changed))
}

// hideAlways rewrites what no marshaled copy may show, redacted or not (print-config's
// default mode, whatever its other flags; the effective configuration), as it sits in
// settings that are not secrets themselves: a URL's password or a credential in its query (an endpoint, a
// proxy_url), PEM private key text or a key's base64 given to a key setting (key_file
// through ${env:...}). Passwords, keys and tokens in their own settings follow the mode.
// (print-config --mode unredacted prints the resolved file, not this: the collector's.)
// Such a configuration does not read back the same: it was never meant to be printed whole.
func hideAlways(m map[string]any) {
	for k, v := range m {
		switch leaf := v.(type) {
		case map[string]any:
			hideAlways(leaf)
		case []any:
			for i, item := range leaf {
				if s, ok := item.(string); ok {
					leaf[i] = hideValue(k, s)
				} else if sub, ok := item.(map[string]any); ok {
					hideAlways(sub)
				}
			}
		case string:
			m[k] = hideValue(k, leaf)
		case configopaque.String:
			m[k] = configopaque.String(hideValue(k, string(leaf)))
		}
	}
}

func hideValue(key, v string) string {
	k := strings.ToLower(key)
	keySetting := strings.Contains(k, "key") && (strings.HasSuffix(k, "_file") || strings.HasSuffix(k, "_pem"))
	if strings.Contains(v, "PRIVATE KEY") || keySetting && scrub.MayBeKeyMaterial(v) {
		return scrub.Redacted
	}
	if strings.Contains(v, "@") || strings.Contains(v, "://") {
		return scrub.HideURLPassword(v)
	}
	return v
}

// marshaledDefaults is the default configuration, marshaled once.
var marshaledDefaults = sync.OnceValues(func() (map[string]any, error) {
	type plain Config
	def := confmap.New()
	err := def.Marshal(plain(*createDefaultConfig().(*Config)), xconfmap.WithUnredacted())
	return def.ToStringMap(), err
})

// prune keeps what full holds that def (nil: nothing to compare with) does not; a leaf that
// reads differently redacted is a secret, kept as a configopaque value.
func prune(full, redacted, def any) any {
	switch f := full.(type) {
	case map[string]any:
		r, _ := redacted.(map[string]any)
		d, _ := def.(map[string]any)
		out := map[string]any{}
		for k, v := range f {
			var dv any
			if d != nil {
				dv = d[k]
			}
			if pv := prune(v, r[k], dv); pv != nil {
				out[k] = pv
			}
		}
		if len(out) == 0 && def != nil {
			return nil
		}
		return out
	case []any:
		if len(f) == 0 || def != nil && reflect.DeepEqual(full, def) {
			return nil // an empty list reads back as the default: none
		}
		r, _ := redacted.([]any)
		out := make([]any, len(f))
		for i, v := range f {
			var rv any
			if i < len(r) {
				rv = r[i]
			}
			out[i] = prune(v, rv, nil)
		}
		return out
	}
	if s, ok := full.(string); ok && !reflect.DeepEqual(full, redacted) {
		return configopaque.String(s)
	}
	if def != nil && reflect.DeepEqual(full, def) {
		return nil
	}
	return full
}
