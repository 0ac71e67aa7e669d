import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { useI18n } from '../i18n/i18n';
import { Empty } from './ui';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
  fill?: string;
  width?: number;
  /** Draw as points only (e.g. daily demand). */
  points?: boolean;
}

/**
 * A time-series chart drawn by uPlot (about 20 kB gzip), loaded on first use so pages without
 * charts do not pay for it. x values are unix seconds.
 */
export function Chart(props: {
  x: number[];
  series: ChartSeries[];
  height?: number;
  title: string;
  /** Pairs of series indexes (1-based, as uPlot counts) whose area between is shaded. */
  bands?: [number, number, string][];
  yFormat?: (v: number) => string;
  /** A numeric x axis (e.g. a predicted probability) instead of time, over [min, max]. */
  numericX?: { min: number; max: number; format?: (v: number) => string };
  /** A fixed y range (e.g. [0, 1] for rates). */
  yRange?: [number, number];
}) {
  const { t, locale } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // A series with one value is still drawn (as a point): a new clinic's first week is a trend.
  const hasData = props.x.length > 0 && props.series.some((s) => s.values.some((v) => v !== null));

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([mod]) => {
      const UPlot = mod.default;
      if (cancelled || !box.current) return;
      const width = Math.max(240, box.current.clientWidth);
      const yFormat = props.yFormat;
      const numericX = props.numericX;
      // Time ticks in the user's language (12月1日 / Dec 1), not uPlot's fixed M/D.
      const dayFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
      const xFormat = numericX?.format ?? ((v: number) => dayFmt.format(new Date(v * 1000)));
      // One time point (a clinic's first week): a week's span around it, so it is drawn with its date.
      const xs = props.x;
      const single = !numericX && xs.length > 0 && xs[0] === xs[xs.length - 1] ? xs[0]! : 0;
      const opts: uPlot.Options = {
        width,
        height: props.height ?? 200,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 2,
            ...(s.dash ? { dash: s.dash } : {}),
            ...(s.fill ? { fill: s.fill } : {}),
            ...(s.points
              ? { paths: () => null, points: { show: true, size: 4, fill: s.color } }
              : { points: { show: s.values.filter((v) => v !== null).length < 2, size: 7, fill: s.color } }),
          })),
        ],
        ...(numericX || props.yRange || single
          ? {
              scales: {
                ...(numericX
                  ? { x: { time: false, range: [numericX.min, numericX.max] as uPlot.Range.MinMax } }
                  : single
                    ? { x: { range: [single - 3.5 * DAY_S, single + 3.5 * DAY_S] as uPlot.Range.MinMax } }
                    : {}),
                ...(props.yRange ? { y: { range: props.yRange as uPlot.Range.MinMax } } : {}),
              },
            }
          : {}),
        axes: [
          // Room for a localised date (12月12日 / Dec 12) between ticks.
          { values: (_u: uPlot, ticks: number[]) => ticks.map(xFormat), space: numericX ? 50 : 80 },
          yFormat ? { values: (_u: uPlot, ticks: number[]) => ticks.map(yFormat), size: 60 } : { size: 60 },
        ],
        ...(props.bands
          ? { bands: props.bands.map(([a, b, fill]) => ({ series: [a, b] as [number, number], fill })) }
          : {}),
      };
      const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
      plot.current?.destroy();
      plot.current = new UPlot(opts, data, box.current);
      observer = new ResizeObserver(() => {
        if (box.current && plot.current)
          plot.current.setSize({
            width: Math.max(240, box.current.clientWidth),
            height: props.height ?? 200,
          });
      });
      observer.observe(box.current);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.x, props.series, props.height, props.bands, props.yFormat, props.numericX, props.yRange, locale]);

  if (!hasData)
    return (
      <div class="chart chart-empty" data-testid="chart-empty">
        <Empty>{t('chart.noData')}</Empty>
      </div>
    );
  return <div class="chart" ref={box} role="img" aria-label={props.title} />;
}

const DAY_S = 86_400;

export const toUnix = (isoDate: string) =>
  Math.floor(new Date(isoDate.length === 10 ? `${isoDate}T00:00:00Z` : isoDate).getTime() / 1000);
