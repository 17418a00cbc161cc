/**
 * The user's ssh-agent, observed: it remembers which keys the agent offered,
 * so a key file holding one of them is not offered again (nor its passphrase
 * asked for), and with IdentitiesOnly it offers only the configured keys.
 */
import ssh2, { type ParsedKey, type IdentityCallback, type SignCallback, type SigningRequestOptions } from 'ssh2';

const { BaseAgent, OpenSSHAgent } = ssh2;

export class ObservedAgent extends BaseAgent<ParsedKey> {
  /** Public keys (wire format) the agent offered in this attempt. */
  readonly offered: Buffer[] = [];
  private readonly agent: InstanceType<typeof OpenSSHAgent>;

  /** `onlyKeys`: public keys (wire format) to offer; undefined offers all the agent holds. */
  constructor(
    readonly socketPath: string,
    private readonly onlyKeys?: readonly Buffer[],
  ) {
    super();
    this.agent = new OpenSSHAgent(socketPath);
  }

  getIdentities(callback: IdentityCallback<ParsedKey>): void {
    this.agent.getIdentities((error, keys) => {
      if (error || !keys) return callback(error ?? new Error('ssh-agent returned no key list'));
      // OpenSSHAgent lists parsed keys (the typings also allow forms other agents use).
      const usable = (keys as ParsedKey[]).filter((key) => !this.onlyKeys || this.onlyKeys.some((only) => only.equals(key.getPublicSSH())));
      this.offered.push(...usable.map((key) => key.getPublicSSH()));
      callback(undefined, usable);
    });
  }

  sign(key: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, callback?: SignCallback): void {
    if (typeof options === 'function') this.agent.sign(key, data, options);
    else this.agent.sign(key, data, options, callback);
  }

  holds(publicBlob: Buffer | undefined): boolean {
    return !!publicBlob && this.offered.some((offered) => offered.equals(publicBlob));
  }
}
