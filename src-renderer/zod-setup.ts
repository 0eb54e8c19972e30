import { z } from 'zod';

// zod probes `new Function` to compile fast validators; the dashboard's CSP
// forbids eval, and the probe would log a CSP violation. Imported first, so it
// runs before any schema is used.
z.config({ jitless: true });
