import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SessionView } from "./api/types";

export interface Session extends SessionView {
  logout: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; pages render only inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}
