package io.moslora.nn;

/** A module that only groups named children (a bare {@code nn.Module} such as the {@code model.} prefix). */
public class Container extends Module {}
