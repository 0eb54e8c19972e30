/** Settings documents shared by the repository and migration specs. */

/** The shape our first release wrote. */
export const V1_DOCUMENT = {
  schema_version: 1,
  configs: [
    {
      name: 'work',
      description: 'company account',
      priority: 'primary',
      endpoints: [
        { id: 'ep-1', url: 'https://api.anthropic.com/', key: 'sk-ant-work-1234567890', auth: 'bearer' },
        { id: 'ep-2', url: 'https://backup.example.com', key: 'sk-ant-work-backup-0987' },
      ],
    },
    { name: 'spare', priority: 'fallback', endpoints: [] },
    { name: 'personal', priority: 'primary', endpoints: [{ id: 'ep-3', url: 'http://127.0.0.1:8080/v1', key: 'sk-personal-key-abcd' }] },
    { name: 'old', priority: 'disabled', endpoints: [] },
  ],
  policy: { failure_threshold: 5, auto_recovery_enabled: true },
  active: 'personal',
};

/** Configs per document that settings-writer-child.ts churns out. */
export const CHURN_CONFIGS = 30;
