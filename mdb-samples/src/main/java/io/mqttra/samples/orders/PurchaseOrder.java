package io.mqttra.samples.orders;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An order as the shop stores it; created in the same transaction that announces it on {@code orders/created}. */
@Entity
@Table(name = "SAMPLE_ORDER")
public class PurchaseOrder {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "ITEM", nullable = false)
    private String item;

    @Column(name = "QUANTITY", nullable = false)
    private int quantity;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    protected PurchaseOrder() {}

    public PurchaseOrder(String id, String item, int quantity, long createdAt) {
        this.id = id;
        this.item = item;
        this.quantity = quantity;
        this.createdAt = createdAt;
    }

    public String getId() {
        return id;
    }

    public String getItem() {
        return item;
    }

    public int getQuantity() {
        return quantity;
    }

    public long getCreatedAt() {
        return createdAt;
    }
}
