// One custom JWT provider whose keys come from the deployment's environment
// as a data: URI, as @convex-dev/auth and Better Auth set it up, so the app
// verifies tokens without a network.
export default {
  providers: [
    {
      type: 'customJwt',
      issuer: 'https://auth.converge.test',
      jwks: process.env.AUTH_JWKS,
      algorithm: 'ES256',
      applicationID: 'converge-tests',
    },
  ],
};
