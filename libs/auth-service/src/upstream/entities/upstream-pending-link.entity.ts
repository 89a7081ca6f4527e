import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * An upstream account that signed in with the email address of an existing local account: it
 * is linked only once the person proves they own that local account (they sign in to it in
 * this browser, then confirm). Found by the SHA-256 of the `tessera_upstream_link` cookie.
 */
@Entity('upstream_pending_links')
export class UpstreamPendingLinkEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'key_hash' })
  keyHash!: string;

  @Column('varchar', { length: 64, name: 'idp_id' })
  idpId!: string;

  @Column('varchar', { length: 255, name: 'upstream_sub' })
  upstreamSub!: string;

  @Column('varchar', { length: 320, nullable: true })
  email!: string | null;

  /** The local account the person must sign in to before the link is made. */
  @Index('ix_upstream_pending_links_sub')
  @Column('varchar', { length: 64 })
  sub!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_upstream_pending_links_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
