import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

/** A time series chart (uPlot): x in unix seconds; resizes with its box, so it fits a phone's width. */
export function Chart({ title, times, series, format }: {
  title: string;
  times: number[];
  series: Series[];
  format?: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const options: uPlot.Options = {
      title,
      width: Math.max(280, el.clientWidth),
      height: 200,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(format ? { value: (_u: uPlot, v: number | null) => (v === null ? "–" : format(v)) } : {}),
        })),
      ],
      axes: [{}, format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format), size: 70 } : {}],
    };
    const chart = new uPlot(options, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, el.clientWidth), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt when the series change shape; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, series.length]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return <div class="chart" ref={box} />;
}
