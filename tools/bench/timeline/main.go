// Command timeline draws the provisionOnDemand calls of each throughput mode of `make bench` over
// time, as the fake Graph service saw them: every call at its arrival, accepted and rejected
// (429) apart, against the sliding window's limit. It is a module of its own so that the
// plotting library stays out of the provider's go.mod; the bench runs it with the calls as JSON
// on standard input.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"log"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// input is what the bench writes: the limit and, per mode, the calls of one apply.
type input struct {
	Limit           int     `json:"limit"`
	IntervalSeconds float64 `json:"intervalSeconds"`
	Modes           []mode  `json:"modes"`
}

type mode struct {
	Name  string `json:"name"`
	Calls []call `json:"calls"`
}

// call is one provisionOnDemand request: seconds after the apply's first call, and whether the
// fake answered 429 for the rate limit.
type call struct {
	Seconds     float64 `json:"seconds"`
	RateLimited bool    `json:"rateLimited"`
}

func main() {
	out := flag.String("out", "timeline.svg", "image `file` to write (.svg or .png)")
	flag.Parse()
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		log.Fatalf("timeline: reading the calls: %v", err)
	}
	if err := draw3(in, *out); err != nil {
		log.Fatalf("timeline: %v", err)
	}
}

// inWindow is how many calls the fake had counted in the window that ends at each call, that
// call included: rejected calls count too, as on a strict server.
func inWindow(calls []call, interval float64) []float64 {
	counts := make([]float64, len(calls))
	for i, c := range calls {
		for _, d := range calls {
			if d.Seconds > c.Seconds-interval && d.Seconds <= c.Seconds {
				counts[i]++
			}
		}
	}
	return counts
}

// modePlot is one mode's panel.
func modePlot(m mode, limit int, interval, xMax, yMax float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = m.Name
	p.X.Label.Text = "seconds after the first call"
	p.Y.Label.Text = fmt.Sprintf("calls in the %gs window", interval)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, xMax, 0, yMax
	counts := inWindow(m.Calls, interval)
	var accepted, rejected plotter.XYs
	for i, c := range m.Calls {
		if c.RateLimited {
			rejected = append(rejected, plotter.XY{X: c.Seconds, Y: counts[i]})
		} else {
			accepted = append(accepted, plotter.XY{X: c.Seconds, Y: counts[i]})
		}
	}
	limitLine, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(limit)}, {X: xMax, Y: float64(limit)}})
	if err != nil {
		return nil, err
	}
	limitLine.Color = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	limitLine.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(limitLine)
	p.Legend.Add(fmt.Sprintf("limit: %d per %gs", limit, interval), limitLine)
	for _, series := range []struct {
		label string
		xys   plotter.XYs
		shape draw.GlyphDrawer
		color color.Color
	}{
		{"accepted", accepted, draw.CircleGlyph{}, color.RGBA{R: 31, G: 119, B: 180, A: 255}},
		{"429 (rate limit)", rejected, draw.CrossGlyph{}, color.RGBA{R: 214, G: 39, B: 40, A: 255}},
	} {
		if len(series.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(series.xys)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = series.shape, series.color, vg.Points(2.5)
		p.Add(s)
		p.Legend.Add(fmt.Sprintf("%s (%d)", series.label, len(series.xys)), s)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p, nil
}

// draw3 stacks the modes' panels on one time axis and writes the image.
func draw3(in input, path string) error {
	if len(in.Modes) == 0 {
		return fmt.Errorf("no modes to draw")
	}
	xMax, yMax := in.IntervalSeconds, float64(in.Limit)+1
	for _, m := range in.Modes {
		counts := inWindow(m.Calls, in.IntervalSeconds)
		for i, c := range m.Calls {
			xMax, yMax = max(xMax, c.Seconds), max(yMax, counts[i]+1)
		}
	}
	plots := make([][]*plot.Plot, len(in.Modes))
	for i, m := range in.Modes {
		p, err := modePlot(m, in.Limit, in.IntervalSeconds, xMax*1.02, yMax)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{p}
	}
	width, height := 18*vg.Centimeter, vg.Length(len(plots))*7*vg.Centimeter
	canvas := newCanvas(path, width, height)
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadX: vg.Points(4), PadY: vg.Points(10)}
	for i, canvases := range plot.Align(plots, tiles, dc) {
		plots[i][0].Draw(canvases[0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newCanvas is an SVG canvas, or a PNG one for a .png path.
func newCanvas(path string, width, height vg.Length) vg.CanvasWriterTo {
	if filepath.Ext(path) == ".png" {
		return vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	}
	return vgsvg.New(width, height)
}
