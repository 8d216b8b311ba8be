package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// median of xs (the mean of the two middle values for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// bound is the least time N calls can take under a limit of requests per interval, from the
// first start to the last: the last batch starts (ceil(N/requests) - 1) intervals after the first.
func bound(n, requests int, interval time.Duration) time.Duration {
	if n <= 0 || requests <= 0 {
		return 0
	}
	return time.Duration((n+requests-1)/requests-1) * interval
}

// ratio formats a/b with two decimals, or "-" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func seconds(d float64) string { return fmt.Sprintf("%.1f", d) }

func mebibytes(bytes float64) string { return fmt.Sprintf("%.1f", bytes/(1<<20)) }

// table is a Markdown table whose columns are padded, so it reads the same in a terminal.
type table struct {
	header []string
	right  []bool // right-align the column (numbers)
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)) // "≤" is one column
			if i < len(t.right) && t.right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t.header)
	rule := make([]string, len(t.header))
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
		if i < len(t.right) && t.right[i] {
			rule[i] = rule[i][1:] + ":"
		}
	}
	line(rule)
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// throughputRow is the median of one mode's runs at one N.
type throughputRow struct {
	mode      string
	n         int
	wall      float64 // seconds of the whole terraform apply
	bound     float64 // seconds
	span      float64 // seconds from the first admitted call to the last
	requests  float64 // API requests the fake received, rejected ones included
	throttled float64 // 429 answers
	// fewest and most 429s of any run: a median of 0 must not hide a run that had some
	throttledMin, throttledMax float64
	created                    float64 // resources whose call succeeded
	peakRSS                    float64 // bytes
}

func summariseThroughput(mode string, n, requests int, interval time.Duration, samples []throughputSample) throughputRow {
	pick := func(f func(throughputSample) float64) float64 {
		xs := make([]float64, len(samples))
		for i, s := range samples {
			xs[i] = f(s)
		}
		return median(xs)
	}
	row := throughputRow{
		mode:      mode,
		n:         n,
		wall:      pick(func(s throughputSample) float64 { return s.wall.Seconds() }),
		bound:     bound(n, requests, interval).Seconds(),
		span:      pick(func(s throughputSample) float64 { return s.span.Seconds() }),
		requests:  pick(func(s throughputSample) float64 { return float64(s.requests) }),
		throttled: pick(func(s throughputSample) float64 { return float64(s.throttled) }),
		created:   pick(func(s throughputSample) float64 { return float64(s.created) }),
		peakRSS:   pick(func(s throughputSample) float64 { return float64(s.peakRSS) }),
	}
	for i, s := range samples {
		if i == 0 || float64(s.throttled) < row.throttledMin {
			row.throttledMin = float64(s.throttled)
		}
		row.throttledMax = max(row.throttledMax, float64(s.throttled))
	}
	return row
}

func throughputTable(rows []throughputRow) *table {
	t := &table{
		header: []string{"mode", "N", "wall s", "bound s", "wall/bound", "calls span s", "requests", "429s", "created", "provider peak MiB"},
		right:  []bool{false, true, true, true, true, true, true, true, true, true},
	}
	for _, r := range rows {
		t.add(r.mode, fmt.Sprint(r.n), seconds(r.wall), seconds(r.bound), ratio(r.wall, r.bound), seconds(r.span),
			count(r.requests), countRange(r.throttled, r.throttledMin, r.throttledMax), fmt.Sprintf("%s/%d", count(r.created), r.n), mebibytes(r.peakRSS))
	}
	return t
}

// countRange prints a median of counts and, when the runs differ, their range.
func countRange(med, lo, hi float64) string {
	if lo == hi {
		return count(med)
	}
	return fmt.Sprintf("%s (%s-%s)", count(med), count(lo), count(hi))
}

// count prints a median of counts: whole unless two middle runs differ.
func count(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}
