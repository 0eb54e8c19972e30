// Shapes of what `qcc … --json` prints, as the CLI specs read them back.

/** One endpoint in `qcc endpoint list NAME --json` (and in `qcc list --json`). */
export interface EndpointJson {
  id: string;
  base_url: string;
  key_hint: string;
  auth_style: string;
  enabled: boolean;
  health: { state: string; credential_rejected: boolean };
}
