package metadata

import (
	"reflect"

	"go.opentelemetry.io/collector/confmap"
)

// The collector marshals every component's configuration and keeps the result for as long
// as it runs (print-config, the effective-configuration snapshot extensions may read). The
// generated blocks below are long and almost always their defaults: written out in full they
// cost each receiver instance tens of kilobytes there. They marshal only the entries that
// differ from their defaults; unmarshaled again, the result is the same configuration.
// (Not generated: mdatagen leaves this file alone.)

// Marshal writes the metrics whose settings differ from DefaultMetricsConfig.
func (mc MetricsConfig) Marshal(conf *confmap.Conf) error {
	return marshalChanged(conf, mc, DefaultMetricsConfig())
}

// Marshal writes the resource attributes whose settings differ from their defaults.
func (rac ResourceAttributesConfig) Marshal(conf *confmap.Conf) error {
	return marshalChanged(conf, rac, DefaultResourceAttributesConfig())
}

// Marshal writes the events whose settings differ from DefaultEventsConfig.
func (ec EventsConfig) Marshal(conf *confmap.Conf) error {
	return marshalChanged(conf, ec, DefaultEventsConfig())
}

// marshalChanged marshals the fields of the struct v that differ from the same fields of def,
// under their mapstructure keys.
func marshalChanged(conf *confmap.Conf, v, def any) error {
	rv, rd := reflect.ValueOf(v), reflect.ValueOf(def)
	changed := map[string]any{}
	for i := range rv.NumField() {
		if !reflect.DeepEqual(rv.Field(i).Interface(), rd.Field(i).Interface()) {
			changed[rv.Type().Field(i).Tag.Get("mapstructure")] = rv.Field(i).Interface()
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return conf.Marshal(changed)
}
