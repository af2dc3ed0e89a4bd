package io.sagaorchestrator.examples.usersync;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** The link of a liaison to the remote result that created it, and to the saga that did so. */
@Entity
@Table(name = "lz_liaison")
public class LzLiaison extends PanacheEntityBase {

    @Id
    @Column(name = "liaison_id")
    public Long liaisonId;

    @Column(name = "saga_id", nullable = false)
    public UUID sagaId;

    @Column(name = "remote_user_id", nullable = false)
    public String remoteUserId;

    @Column(name = "remote_status", nullable = false)
    public String remoteStatus;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
