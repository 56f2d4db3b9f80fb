// Package serve serves a linear model to concurrent callers and replaces it
// under them: a Predictor holds an immutable Model behind an atomic pointer,
// so predictions take no lock and allocate nothing, and a new model (a file
// that changed, a copy from online learning) is validated and swapped in
// with one atomic store.
//
//	p, err := serve.Open("model.safetensors", serve.Options{})
//	go p.Watch(ctx, time.Second)   // reload when the file changes
//	y, err = p.PredictRow(y, x)    // from any goroutine, y reused: no allocation
//	p.Reload()                     // on demand, e.g. on SIGHUP
//
// A new model must take the same inputs and give the same outputs (names and
// shape) unless Options.AllowChange says otherwise; one refused, or a file
// that does not load, leaves the model served as it was and is counted
// (Stats). A caller that needs one model for a whole request (its column
// names, then its predictions) takes it once with Current.
//
// Online learning trains its own model and publishes copies:
//
//	o, _ := regress.NewOnline(m, opt)
//	o.PublishTo(p, 100)            // a copy every 100 samples
//	o.PartialFit(x, y)             // meanwhile p serves the last copy
package serve
