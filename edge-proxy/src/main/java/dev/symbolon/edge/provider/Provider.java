package dev.symbolon.edge.provider;

import java.net.URI;

/**
 * An upstream the edge forwards to.
 *
 * @param name {@code openai}, {@code anthropic}, {@code gemini}, {@code groq}, {@code mistral}, or
 *     {@code compat:<name>} for an operator-configured OpenAI-compatible upstream
 * @param baseUrl from configuration only, never from a request
 * @param dialect how the provider speaks: where its key goes, its usage shape, its endpoints
 */
public record Provider(String name, URI baseUrl, Dialect dialect) {}
