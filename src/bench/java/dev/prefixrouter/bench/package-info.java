/**
 * The end-to-end benchmark: a multi-round chat workload against simulated engines and in-process routers, its
 * statistics, tables and charts. A test source root (src/bench/java): compiled and run in small in {@code mvn -B
 * verify}, never packaged.
 */
package dev.prefixrouter.bench;
