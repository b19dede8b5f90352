import NextAuth from "next-auth";
import { signInLimitRefusal } from "@/lib/auth/sign-in-limits";
import { authOptions } from "@/lib/auth/options";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/** Sign-in requests pass the abuse limits first (lib/auth/sign-in-limits.ts). */
async function POST(request: Request, context: Context) {
  const refusal = await signInLimitRefusal(request);
  return refusal ?? handler(request, context);
}

export { handler as GET, POST };
