package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the tokens seen so far, per layer ({@code [B, kvHeads, S, D]}), so generation computes each
 * new token against the cache instead of recomputing the whole prefix. Arrays live in the cache's own manager.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDManager manager;

    public KvCache(int layers, NDManager parent) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.manager = parent.newSubManager();
    }

    /** Tokens already cached. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Appends this step's keys/values for a layer and returns the full keys/values to attend to. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray fullV = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        fullK.attach(manager);
        fullV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = fullK;
        values[layer] = fullV;
        return new NDArray[] {fullK, fullV};
    }

    @Override
    public void close() {
        manager.close();
    }
}
