import { notFound } from "next/navigation";

/** Unknown portal addresses get the portal's own 404, inside its frame. */
export default function MissingPortalPage(): never {
  notFound();
}
