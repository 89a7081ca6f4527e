import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * A local user's linked upstream account: the provider's `sub` (stable per provider, OIDC Core
 * §2) is what signs the person in, never their email. One upstream account belongs to at most
 * one user, and a user links at most one account per provider.
 */
@Entity('upstream_links')
@Index('uq_upstream_links_subject', ['idpId', 'upstreamSub'], { unique: true })
@Index('uq_upstream_links_user_idp', ['sub', 'idpId'], { unique: true })
export class UpstreamLinkEntity {
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Column('varchar', { length: 64, name: 'idp_id' })
  idpId!: string;

  @Column('varchar', { length: 255, name: 'upstream_sub' })
  upstreamSub!: string;

  @Column('varchar', { length: 64 })
  sub!: string;

  /** The upstream account's email when it was linked, to tell the person which account it is. */
  @Column('varchar', { length: 320, nullable: true })
  email!: string | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;
}
