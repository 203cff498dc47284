/**
 * The namespaced claim that carries a user's roles, as an Auth0 Action adds it to the ID token and
 * the access token (`api.idToken.setCustomClaim`). Auth0 drops custom claims that are not namespaced
 * with a URL, so the name is one; the app's configuration uses the same literal by default.
 */
export const DEFAULT_ROLES_CLAIM = 'https://auth0-express-login/roles';
