/**
 * Node flags of the app's processes (scripts/run-app.ts; the tests' and benches' servers; bench/invoice-run, which runs
 * the period close in its own process as the app's job worker does).
 *
 * A larger young generation: a period close keeps each chunk's subscriptions and invoices alive across its statements
 * (three chunks at a time), and with V8's default 16 MB semi-space they are copied several times before they are
 * promoted. Measured with --trace-gc on bench/invoice-run at 100k subscriptions (before the close stopped keeping the
 * invoices' lines): scavenges took 4.5 s of CPU, 3.0 s with 64 MB and 2.9 s with 128 MB. It costs each process up to
 * about 100 MB more memory.
 */
export const APP_NODE_FLAGS = ["--max-semi-space-size=64"];
