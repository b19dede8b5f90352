/** A horizontal bar chart for a handful of amounts (server-rendered; each bar's width is its share of the largest). */
export function BarChart({ label, bars }: { label: string; bars: { label: string; value: bigint; display: string; href?: string }[] }) {
  const max = bars.reduce((m, b) => (b.value > m ? b.value : m), BigInt(0));
  return (
    <figure aria-label={label} className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="mb-3 text-sm font-medium text-slate-700">{label}</figcaption>
      <div className="space-y-2">
        {bars.map((bar) => {
          const percent = max > BigInt(0) ? Number((bar.value * BigInt(1000)) / max) / 10 : 0;
          const name = bar.href ? <a href={bar.href} className="text-sky-700 hover:underline">{bar.label}</a> : bar.label;
          return (
            <div key={bar.label} className="grid grid-cols-[7rem_1fr_7rem] items-center gap-3 text-sm">
              <span>{name}</span>
              <div className="h-4 rounded bg-slate-100"><div className="h-4 rounded bg-sky-600" style={{ width: `${percent}%` }} /></div>
              <span className="text-right tabular-nums" data-testid={`bar-${bar.label}`}>{bar.display}</span>
            </div>
          );
        })}
      </div>
    </figure>
  );
}
