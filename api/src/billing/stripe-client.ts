import type { AppConfig } from '@medstock/config';
import Stripe from 'stripe';

export type { Stripe };

/**
 * The Stripe client, or null when STRIPE_SECRET_KEY is empty: billing is then off (on-premises,
 * private cloud) and no plan limits apply. STRIPE_API_BASE points the SDK at another server
 * (the tests' local stand-in, or a proxy); empty means api.stripe.com.
 */
export function createStripeClient(config: AppConfig): Stripe | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const options: ConstructorParameters<typeof Stripe>[1] = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  };
  if (config.STRIPE_API_BASE) {
    const base = new URL(config.STRIPE_API_BASE);
    const protocol = base.protocol.replace(':', '');
    if (protocol !== 'http' && protocol !== 'https')
      throw new Error(`STRIPE_API_BASE must be http(s): ${config.STRIPE_API_BASE}`);
    options.protocol = protocol;
    options.host = base.hostname;
    options.port = base.port || (protocol === 'https' ? 443 : 80);
  }
  return new Stripe(config.STRIPE_SECRET_KEY, options);
}
