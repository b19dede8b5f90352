import { notFound } from "next/navigation";

/** Unknown console addresses get the console's own 404, inside its frame. */
export default function MissingConsolePage(): never {
  notFound();
}
