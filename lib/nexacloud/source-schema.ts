/**
 * NexaCloud's own PostgreSQL schema, as the importer reads it. The importer only ever SELECTs these tables; the DDL is
 * here so the test suite and `npm run nexacloud:fixture` can build a realistic copy (see fixture.ts).
 */
export const SOURCE_TABLES = {
  users: ["id", "email", "name", "company", "province", "country", "created_at", "stripe_customer_id"],
  plans: ["id", "code", "name", "monthly_price_cents", "included_cpu_hours", "overage_cents_per_cpu_hour"],
  subscriptions: ["id", "user_id", "plan_id", "status", "started_at", "canceled_at", "current_period_start", "current_period_end"],
  deployments: ["id", "user_id", "subscription_id", "name", "status", "created_at", "deleted_at"],
  usage: ["id", "deployment_id", "subscription_id", "period", "cpu_hours"],
  invoices: ["id", "user_id", "period", "status", "created_at"],
  invoice_items: ["id", "invoice_id", "user_id", "period", "description", "subtotal_cents"],
} as const;

export type SourceTable = keyof typeof SOURCE_TABLES;

// No foreign key from subscriptions.plan_id to plans: NexaCloud really has subscriptions pointing at deleted plans.
export const SOURCE_SCHEMA_SQL = `
CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  company text,
  province text,
  country text NOT NULL DEFAULT 'CA',
  created_at timestamptz NOT NULL,
  stripe_customer_id text
);
CREATE TABLE plans (
  id bigint PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  monthly_price_cents integer NOT NULL,
  included_cpu_hours numeric(12,2) NOT NULL,
  overage_cents_per_cpu_hour numeric(12,4) NOT NULL
);
CREATE TABLE subscriptions (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  plan_id bigint,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  canceled_at timestamptz,
  current_period_start timestamptz NOT NULL,
  current_period_end timestamptz NOT NULL
);
CREATE TABLE deployments (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  subscription_id bigint REFERENCES subscriptions(id),
  name text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE TABLE usage (
  id bigint PRIMARY KEY,
  deployment_id bigint REFERENCES deployments(id),
  subscription_id bigint REFERENCES subscriptions(id),
  period text NOT NULL,
  cpu_hours numeric(14,2) NOT NULL,
  CHECK (deployment_id IS NOT NULL OR subscription_id IS NOT NULL)
);
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  period char(7) NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE invoice_items (
  id bigint PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES invoices(id),
  user_id bigint NOT NULL REFERENCES users(id),
  period char(7) NOT NULL,
  description text NOT NULL,
  subtotal_cents integer NOT NULL
);
CREATE INDEX invoice_items_period_idx ON invoice_items (period, user_id);
`;
