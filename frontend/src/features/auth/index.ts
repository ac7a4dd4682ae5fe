export { LoginPage } from "./LoginPage";
export { RequireAuth } from "./RequireAuth";
export { useMe, useSignOut } from "./session";
