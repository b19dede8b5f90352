import Link from "next/link";
import type { ReactNode } from "react";

export function PageHeader({ title, description, back, children }: {
  title: ReactNode;
  description?: ReactNode;
  back?: { href: string; label: string };
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-4">
      <div>
        {back ? <Link href={back.href} className="text-sm text-slate-500 hover:text-slate-900">← {back.label}</Link> : null}
        <h1 className="text-2xl font-semibold">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      </div>
      {children}
    </div>
  );
}

/** A titled block of a console page. */
export function PageSection({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-3">
      <div>
        <h2 className="text-lg font-semibold">{title}</h2>
        {description ? <p className="text-sm text-slate-600">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}

/** A white panel around a form or a list. */
export function Panel({ children }: { children: ReactNode }) {
  return <div className="rounded-lg border border-slate-200 bg-white p-4">{children}</div>;
}

/** A list page: its table, and below it the form that adds to it. */
export function ListPage({ title, description, table, create }: {
  title: string;
  description: ReactNode;
  table: ReactNode;
  create?: { title: string; form: ReactNode };
}) {
  return (
    <div className="space-y-10">
      <PageHeader title={title} description={description} />
      {table}
      {create ? (
        <PageSection title={create.title}>
          <Panel>{create.form}</Panel>
        </PageSection>
      ) : null}
    </div>
  );
}
