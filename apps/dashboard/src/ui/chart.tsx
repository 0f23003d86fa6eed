import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  unit: string;
  values: (number | null)[];
}

/** A small time-series chart (uPlot, canvas); the same numbers are in the table beside it. */
export function TimeChart({ times, series, title }: { times: number[]; series: Series; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || times.length === 0) return;
    const plot = new uPlot(
      {
        title,
        width: Math.min(640, box.current.clientWidth || 640),
        height: 220,
        scales: { x: { time: true } },
        series: [
          {},
          {
            label: `${series.label} (${series.unit})`,
            stroke: '#2563eb',
            width: 2,
            points: { show: true, size: 6 },
          },
        ],
        axes: [{}, { label: series.unit }],
      },
      [times, series.values],
      box.current,
    );
    return () => plot.destroy();
  }, [times, series, title]);
  return (
    <div ref={box} class="chart" role="img" aria-label={`${title}: chart of ${times.length} finished runs`} />
  );
}
