package io.sagaorchestrator.examples.usersync;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import java.time.Instant;

/** A liaison saved locally, with the id of its user in TT. Table and column names are a contract with operators. */
@Entity
@Table(name = "liaison_info")
public class LiaisonInfo extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "liaison_info_seq")
    @SequenceGenerator(name = "liaison_info_seq", sequenceName = "liaison_info_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String phone;

    @Column(nullable = false)
    public String username;

    /** Null while a user-sync-outbox saga has not yet learned it from TT. */
    @Column(name = "remote_user_id")
    public String remoteUserId;

    /** PENDING until TT has the user, SYNCED when it has, REJECTED when TT refused it for good. */
    @Column(name = "sync_status", nullable = false)
    public String syncStatus = "SYNCED";

    @Column(name = "sync_error")
    public String syncError;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
