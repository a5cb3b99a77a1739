// The test identity provider, when the deployment names it: as an OIDC
// provider (its issuer, discovery and JWKS) and as a custom JWT provider of
// RS256 tokens under a second issuer, both for the application `sandbox`.
const issuer = process.env.IDENTITY_ISSUER;

export default {
  providers: issuer
    ? [
        { domain: issuer, applicationID: 'sandbox' },
        {
          type: 'customJwt',
          issuer: `${issuer}/custom`,
          jwks: `${issuer}/jwks.json`,
          algorithm: 'RS256',
          applicationID: 'sandbox',
        },
      ]
    : [],
};
