/**
 * The boring part of a CI environment, so each test shows only what it is about.
 * GitLab's predefined variables for project example-org/my-site on branch feature-x.
 */
export function gitlab(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    CI_PROJECT_PATH_SLUG: 'example-org-my-site',
    CI_PROJECT_NAME: 'my-site',
    CI_COMMIT_REF_SLUG: 'feature-x',
    CI_COMMIT_SHA: '0123456789abcdef0123456789abcdef01234567',
    CI_REGISTRY_IMAGE: 'registry.example.com/example-org/my-site',
    BASE_DOMAIN: 'dev.example.com',
    ...overrides,
  };
}

/** GitHub Actions' variables for Example-Org/My.Site on branch main. */
export function github(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'Example-Org/My.Site',
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: 'fedcba9876543210fedcba9876543210fedcba98',
    BASE_DOMAIN: 'dev.example.com',
    ...overrides,
  };
}
