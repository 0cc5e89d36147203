package conformance

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// secretish names keys that hold credentials.
func secretish(name string) bool {
	for _, s := range []string{"secret", "token", "password", "api_key", "apikey", "private_key"} {
		if strings.Contains(name, s) && !strings.HasSuffix(name, "_url") && !strings.HasSuffix(name, "_env") {
			return true
		}
	}
	return false
}

// checkSpec: the registered spec documents every key, marks credentials
// secret, has base_url, and the stream feeds a canonical stream.
func checkSpec(t *testing.T, h Harness) {
	spec, err := connectors.Lookup(h.Type)
	if err != nil {
		t.Fatalf("%v (add the blank import to connectors/all and to the test)", err)
	}
	if spec.Summary == "" {
		t.Error("spec has no Summary")
	}
	names := map[string]bool{}
	for _, f := range spec.Fields {
		names[f.Name] = true
		if f.Description == "" || f.Example == "" {
			t.Errorf("field %s: needs a Description and an Example", f.Name)
		}
		if secretish(f.Name) && !f.Secret {
			t.Errorf("field %s holds a credential: mark it Secret", f.Name)
		}
		if f.Secret && !strings.Contains(f.Example, "${") {
			t.Errorf("secret field %s: its Example should be an ${ENV} reference, got %q", f.Name, f.Example)
		}
	}
	for _, want := range []string{"base_url", "api_version"} {
		if !names[want] {
			t.Errorf("spec has no %s field (every HTTP connector takes one)", want)
		}
	}
	e := newEnv(t, h)
	// The registered factory builds the same source from the same config.
	src, err := spec.New(e.config(""))
	if err != nil {
		t.Fatalf("registered New on the fake's config: %v", err)
	}
	_ = src.Close()
	st := e.stream
	canon, err := connectors.LookupCanonical(st.Canonical)
	if err != nil {
		t.Fatalf("stream %s: %v", st.Name, err)
	}
	if st.Schema == nil || st.DateColumn == "" || len(st.Key) == 0 {
		t.Fatalf("stream %s: needs a Schema, a DateColumn and a Key", st.Name)
	}
	if st.LookbackDays != h.Lookback {
		t.Errorf("stream %s: LookbackDays %d, want the configured %d", st.Name, st.LookbackDays, h.Lookback)
	}
	for _, c := range canon.Columns {
		idx := st.Schema.FieldIndices(c.Name)
		if c.Required && len(idx) == 0 {
			t.Errorf("stream %s lacks the required column %s of %s", st.Name, c.Name, canon.Name)
			continue
		}
		if len(idx) == 1 && !arrow.TypeEqual(st.Schema.Field(idx[0]).Type, connectors.ArrowType(c.Type)) {
			t.Errorf("column %s is %s, want %s", c.Name, st.Schema.Field(idx[0]).Type, connectors.ArrowType(c.Type))
		}
	}
}

// checkUnknownKeys: a misspelt key fails New and names the key.
func checkUnknownKeys(t *testing.T, h Harness) {
	e := newEnv(t, h)
	_, err := h.New(e.config("no_such_key_xyz: 1\n"), e.opts()...)
	if err == nil || !strings.Contains(err.Error(), "no_such_key_xyz") {
		t.Errorf("New with an unknown key: %v; want an error naming no_such_key_xyz", err)
	}
	y, vars := e.fake.Config()
	for k := range vars {
		if strings.Contains(y, vars[k]) {
			t.Errorf("the fake's config holds the value of %s; write it as ${%s}", k, k)
		}
	}
}

// checkFullSync: a first sync over several pages loads exactly the fake's
// rows, each once, and checkpoints a cursor.
func checkFullSync(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.fake.SetPageSize(h.PageSize)
	days := e.fake.Days()
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
	if p := e.fake.Pages(); p < 2 {
		t.Errorf("the sync read %d pages; the fake was set to split its answers (page size %d)", p, h.PageSize)
	}
	if len(e.em.Cursor()) == 0 {
		t.Error("no cursor checkpointed")
	}
	if len(e.loaded()) == 0 {
		t.Error("nothing loaded")
	}
}

// checkResume: a sync failing in the middle keeps what it committed; the
// next one resumes from the cursor and loses or duplicates nothing.
func checkResume(t *testing.T, h Harness) {
	probe := newEnv(t, h)
	probe.fake.SetPageSize(h.PageSize)
	days := probe.fake.Days()
	probe.mustSync(days.To)
	total := probe.fake.Requests()
	if total < 3 {
		t.Skipf("a full sync takes %d requests; too few to fail in the middle", total)
	}

	e := newEnv(t, h)
	e.fake.SetPageSize(h.PageSize)
	e.fake.Inject(total/2+1, PermissionDenied)
	if err := e.sync(days.To, nil); err == nil {
		t.Fatal("the sync with a failure in the middle succeeded")
	}
	if len(e.em.Cursors()) == 0 {
		t.Errorf("nothing was checkpointed before request %d of %d; a failure repeats the whole sync", total/2+1, total)
	}
	partial := len(e.loaded())
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
	if partial == 0 {
		t.Log("note: the failed sync kept no rows")
	}
}

// checkThrottle: the platform's throttle answer is waited out for the time
// it asks, on the injected clock, and the sync completes.
func checkThrottle(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	e.fake.Inject(2, Throttle)
	start := time.Now()
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
	hint := e.fake.ThrottleHint()
	if !slices.Contains(e.clock.Sleeps(), hint) {
		t.Errorf("waits %v; want one of %s, the platform's hint", e.clock.Sleeps(), hint)
	}
	if d := time.Since(start); d > hint/2 {
		t.Errorf("the sync took %s of real time: waits must go through the injected clock", d)
	}
}

// checkTransient: a 5xx and a malformed body are retried with backoff.
func checkTransient(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	e.fake.Inject(2, ServerError)
	e.fake.Inject(3, Malformed)
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
	sleeps := e.clock.Sleeps()
	if len(sleeps) < 2 {
		t.Errorf("waits %v; want a backoff before each retry", sleeps)
	}
	for _, d := range sleeps {
		if d > time.Minute {
			t.Errorf("backoff wait %s exceeds the 60 s cap", d)
		}
	}
}

// checkExpiredToken: an expired access token is refreshed once.
func checkExpiredToken(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	e.fake.Inject(2, ExpiredToken)
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
}

// failsFast checks a permanent failure at the first data request.
func failsFast(t *testing.T, h Harness, kind string, check func(*env, error)) {
	e := newEnv(t, h)
	e.fake.Inject(1, kind)
	before := e.fake.Requests()
	err := e.sync(e.fake.Days().To, nil)
	if err == nil {
		t.Fatalf("%s: the sync succeeded", kind)
	}
	if n := e.fake.Requests() - before; n != 1 {
		t.Errorf("%s: %d data requests; a permanent error must not be retried", kind, n)
	}
	if s := e.clock.Slept(); s != 0 {
		t.Errorf("%s: waited %s before failing; want no wait", kind, s)
	}
	if !errors.Is(err, httpkit.ErrPermanent) {
		t.Errorf("%s: error does not wrap httpkit.ErrPermanent: %v", kind, err)
	}
	if e.em.Cursor() != nil {
		t.Errorf("%s: a cursor was checkpointed", kind)
	}
	check(e, err)
}

// checkPermissionDenied: fails at once with the platform's own message.
func checkPermissionDenied(t *testing.T, h Harness) {
	failsFast(t, h, PermissionDenied, func(e *env, err error) {
		if msg := e.fake.PermanentMessage(); !strings.Contains(err.Error(), msg) {
			t.Errorf("error %q lacks the platform's message %q", err, msg)
		}
		if he := httpError(err); he == nil || !strings.HasPrefix(err.Error(), he.Platform+": ") && !strings.Contains(err.Error(), h.Type) {
			t.Errorf("error %q should be an *httpkit.Error naming %s", err, h.Type)
		}
	})
}

// checkRevoked: a refresh token the platform refuses stops the read.
func checkRevoked(t *testing.T, h Harness) {
	failsFast(t, h, Revoked, func(e *env, err error) {
		if !errors.Is(err, httpkit.ErrAuth) {
			t.Errorf("error does not wrap httpkit.ErrAuth: %v", err)
		}
	})
}

// checkRestatement: restated values inside the lookback window replace the
// stored ones on the next sync; older days keep theirs.
func checkRestatement(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	until1 := days.To.AddDate(0, 0, -3)
	e.mustSync(until1)
	e.compare(e.fake.Expected(connectors.DateRange{From: days.From, To: until1}), nil)
	old := e.fake.Expected(days)
	inside := until1.AddDate(0, 0, -1)              // in [To-lookback+1, To]
	outside := days.To.AddDate(0, 0, -h.Lookback-2) // before the window
	e.fake.Restate(inside)
	e.fake.Restate(outside)
	e.mustSync(days.To)
	windowFrom := days.To.AddDate(0, 0, 1-h.Lookback)
	var want []map[string]string
	for _, m := range old {
		if d, _ := time.Parse(time.DateOnly, dayText(m[e.stream.DateColumn])); d.Before(windowFrom) {
			want = append(want, m)
		}
	}
	want = append(want, e.fake.Expected(connectors.DateRange{From: windowFrom, To: days.To})...)
	e.compare(want, nil)
	changed := false
	newRows := e.fake.Expected(connectors.DateRange{From: inside, To: inside})
	for _, m := range old {
		if dayText(m[e.stream.DateColumn]) == inside.Format(time.DateOnly) {
			for _, n := range newRows {
				if e.key(n) == e.key(m) && !maps.Equal(n, m) {
					changed = true
				}
			}
		}
	}
	if !changed {
		t.Error("the fake's Restate changed nothing; the check proves nothing")
	}
}

// checkBackfill: a backfill re-reads exactly its days and keeps the cursor.
func checkBackfill(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	e.mustSync(days.To)
	cursor := string(e.em.Cursor())
	old := e.fake.Expected(days)
	day := days.From.AddDate(0, 0, 2)
	e.fake.Restate(day)
	e.fake.Restate(day.AddDate(0, 0, 1))
	if err := e.sync(days.To, &connectors.DateRange{From: day, To: day}); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	var want []map[string]string
	for _, m := range old {
		if dayText(m[e.stream.DateColumn]) != day.Format(time.DateOnly) {
			want = append(want, m)
		}
	}
	want = append(want, e.fake.Expected(connectors.DateRange{From: day, To: day})...)
	e.compare(want, nil)
	if got := string(e.em.Cursor()); got != cursor {
		t.Errorf("the backfill moved the cursor from %s to %s", cursor, got)
	}
}

// checkAccountTimeZone: currency and time zone land on every row, and no
// account's day is read before it has ended in the account's zone.
func checkAccountTimeZone(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	// 03:00 UTC the day after the last day: zones west of UTC are still in it.
	e.clock = httpkit.NewFakeClock(days.To.AddDate(0, 0, 1).Add(3 * time.Hour))
	e.mustSync(days.To)
	now := e.clock.Now()
	zones := map[string]bool{}
	for _, m := range e.fake.Expected(days) {
		zones[m["account_timezone"]] = true
	}
	last := days.To
	for z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			t.Fatalf("the fake's time zone %q: %v", z, err)
		}
		if y := connectors.Day(now.In(loc)).AddDate(0, 0, -1); y.Before(last) {
			last = y
		}
	}
	for _, m := range e.loaded() {
		if m["currency"] == Null || m["currency"] == "" {
			t.Fatalf("a row without currency: %v", m)
		}
		loc, err := time.LoadLocation(m["account_timezone"])
		if err != nil {
			t.Fatalf("row time zone %q: %v", m["account_timezone"], err)
		}
		d, _ := time.Parse(time.DateOnly, dayText(m[e.stream.DateColumn]))
		if y := connectors.Day(now.In(loc)).AddDate(0, 0, -1); d.After(y) {
			t.Errorf("row of %s dated %s, read at %s when the account's last complete day is %s",
				m["account_id"], dayText(m[e.stream.DateColumn]), now.Format(time.RFC3339), y.Format(time.DateOnly))
		}
	}
	e.compare(e.fake.Expected(connectors.DateRange{From: days.From, To: last}), func(m map[string]string) bool {
		d, _ := time.Parse(time.DateOnly, dayText(m[e.stream.DateColumn]))
		return !d.After(last)
	})
}

// checkCancel: cancelling the context during a wait stops the read with
// context.Canceled and commits nothing after the last checkpoint.
func checkCancel(t *testing.T, h Harness) {
	e := newEnv(t, h)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	e.clock.OnSleep = func(time.Duration) { cancel() }
	e.fake.Inject(2, Throttle)
	err := e.syncCtx(ctx, e.fake.Days().To, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("sync cancelled during a wait: %v; want context.Canceled", err)
	}
}

// checkIdempotent: syncing again changes nothing.
func checkIdempotent(t *testing.T, h Harness) {
	e := newEnv(t, h)
	days := e.fake.Days()
	e.mustSync(days.To)
	e.mustSync(days.To)
	e.mustSync(days.To)
	e.compare(e.fake.Expected(days), nil)
}

// dayText is the day of a date column's text: the column itself for a
// DATE, the UTC day for a timestamp (the test warehouse's session time
// zone is UTC, so its text starts with that day).
func dayText(v string) string {
	if len(v) > 10 && (v[10] == ' ' || v[10] == 'T') {
		return v[:10]
	}
	return v
}
