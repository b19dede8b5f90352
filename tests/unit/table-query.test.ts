import { describe, expect, it } from "vitest";
import { pageWindow, parseTableQuery } from "@/lib/console/table-query";

const SORTS = ["name", "createdAt"] as const;

describe("parseTableQuery", () => {
  it("reads prefixed parameters", () => {
    const q = parseTableQuery({ c_page: "3", c_size: "25", c_sort: "createdAt", c_dir: "desc", c_q: "  acme " }, "c_", { sortable: SORTS, defaultSort: "name" });
    expect(q).toEqual({ page: 3, perPage: 25, sort: "createdAt", desc: true, filter: "acme" });
  });
  it("falls back to safe defaults on junk, never trusting the sort column", () => {
    const q = parseTableQuery({ c_page: "-4", c_size: "1000", c_sort: "passwordHash; DROP", c_dir: "sideways" }, "c_", { sortable: SORTS, defaultSort: "name" });
    expect(q).toEqual({ page: 1, perPage: 10, sort: "name", desc: false, filter: "" });
  });
  it("ignores another table's parameters", () => {
    const q = parseTableQuery({ s_page: "9" }, "c_", { sortable: SORTS, defaultSort: "name" });
    expect(q.page).toBe(1);
  });
});

describe("pageWindow", () => {
  it("clamps past-the-end pages to the last page", () => {
    expect(pageWindow({ page: 7, perPage: 10 }, 25)).toEqual({ page: 3, pageCount: 3, skip: 20, take: 10 });
  });
  it("treats an empty table as one empty page", () => {
    expect(pageWindow({ page: 2, perPage: 10 }, 0)).toEqual({ page: 1, pageCount: 1, skip: 0, take: 10 });
  });
});
