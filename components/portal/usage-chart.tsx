import type { UsageBar } from "@/lib/portal/portal-usage";
import { formatDate } from "@/lib/format";

/** Units per billing period for one metric: invoiced periods, then the current one (highlighted), as an SVG bar chart. */
export function UsageChart({ title, bars, timezone }: { title: string; bars: UsageBar[]; timezone: string }) {
  const width = 480;
  const height = 160;
  const gap = 12;
  const barWidth = Math.min(64, (width - gap * (bars.length + 1)) / Math.max(1, bars.length));
  // Units are decimal strings; the chart only needs their proportions, so floating point is fine here (display only).
  const values = bars.map((b) => Number(b.units));
  const max = Math.max(...values, 0) || 1;
  return (
    <figure>
      <svg role="img" aria-label={`${title}: units per billing period`} viewBox={`0 0 ${width} ${height + 36}`} className="w-full max-w-xl">
        {bars.map((bar, i) => {
          const h = Math.max(1, (values[i] / max) * height);
          const x = gap + i * (barWidth + gap);
          return (
            <g key={bar.periodStart}>
              <rect x={x} y={height - h} width={barWidth} height={h} rx={3} className={bar.current ? "fill-sky-600" : "fill-slate-300"}>
                <title>{`${formatDate(bar.periodStart, timezone)}: ${bar.units}`}</title>
              </rect>
              <text x={x + barWidth / 2} y={height - h - 4} textAnchor="middle" className="fill-slate-700 text-[11px]">{bar.units}</text>
              <text x={x + barWidth / 2} y={height + 16} textAnchor="middle" className="fill-slate-500 text-[11px]">
                {bar.current ? "Now" : new Intl.DateTimeFormat("en-CA", { month: "short", timeZone: timezone }).format(new Date(bar.periodStart))}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
