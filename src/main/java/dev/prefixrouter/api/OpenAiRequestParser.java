package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.routing.TokenizeInput;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads, in one streaming pass and without building a tree, the few fields of an OpenAI request that routing
 * needs; every other field is skipped (the proxy forwards the original bytes). Accepts every shape the OpenAI
 * API allows for {@code messages[].content}, {@code prompt} and {@code input}, and rejects wrong types with a
 * message naming the field. Stateless and thread-safe.
 */
public final class OpenAiRequestParser {

    private static final String PROMPT_SHAPES =
            "a string, an array of strings, an array of token ids, or an array of token-id arrays";

    private final JsonFactory jsonFactory = JsonFactory.builder().build();

    public ParsedRequest parse(ApiOperation operation, byte[] body) {
        return parse(operation, body, body.length);
    }

    /** Parses {@code body[0, length)}; the prompt is read from the array later, which must stay unchanged. */
    public ParsedRequest parse(ApiOperation operation, byte[] body, int length) {
        try (JsonParser parser = jsonFactory.createParser(ObjectReadContext.empty(), body, 0, length)) {
            return parseObject(operation, parser, new JsonPrompt.Builder(body, length), body);
        } catch (JacksonException e) {
            throw ApiException.invalidRequest(null, "Request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private ParsedRequest parseObject(ApiOperation operation, JsonParser parser, JsonPrompt.Builder prompt,
            byte[] body) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw ApiException.invalidRequest(null, "Request body must be a JSON object.");
        }
        String model = null;
        boolean stream = false;
        String user = null;
        String previousResponseId = null;
        TokenizeInput tokenize = null;
        boolean hasRequired = operation.promptField() == null;
        boolean singleField = operation.promptFields().size() == 1;
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "model" -> model = string(parser, value, "model");
                case "stream" -> stream = bool(parser, value, "stream");
                case "user" -> user = value == JsonToken.VALUE_NULL ? null : string(parser, value, "user");
                case "previous_response_id" -> previousResponseId = value == JsonToken.VALUE_NULL ? null
                        : string(parser, value, "previous_response_id");
                default -> {
                    if (operation.promptFields().contains(name)) {
                        if (singleField) {
                            prompt.reset(); // a repeated key: the last one counts, as for the engine
                        }
                        hasRequired |= name.equals(operation.promptField());
                        int start = offset(parser);
                        readField(operation, name, parser, value, prompt);
                        tokenize = tokenizable(operation, name, value, body, start, parser, tokenize);
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        }
        if (parser.nextToken() != null) {
            throw ApiException.invalidRequest(null, "Request body must hold exactly one JSON object.");
        }
        if (model == null || model.isEmpty()) {
            throw ApiException.invalidRequest("model", "'model' is required.");
        }
        if (!hasRequired) {
            throw ApiException.invalidRequest(operation.promptField(),
                    "'" + operation.promptField() + "' is required.");
        }
        return new ParsedRequest(operation, model, stream, prompt.build(), user, previousResponseId, tokenize);
    }

    /**
     * The raw value just read, if the engines' {@code /tokenize} takes it as it stands: a chat request's
     * {@code messages} array (the engine applies its chat template) or a completion's {@code prompt} string; else
     * what was found before (a repeated key: the last one counts, as for the engine).
     */
    private static TokenizeInput tokenizable(ApiOperation operation, String name, JsonToken value, byte[] body,
            int start, JsonParser parser, TokenizeInput before) {
        boolean chat = operation == ApiOperation.CHAT_COMPLETIONS && name.equals("messages");
        boolean completion = operation == ApiOperation.COMPLETIONS && name.equals("prompt")
                && value == JsonToken.VALUE_STRING;
        if (!chat && !completion) {
            return operation.promptFields().size() == 1 ? null : before;
        }
        // A string was skipped, not read: its end is found only if a tokenizer needs it.
        return new TokenizeInput(body, start, chat ? (int) parser.currentLocation().getByteOffset() : -1, chat);
    }

    /** One prompt field, read by what it holds for its operation. */
    private static void readField(ApiOperation operation, String name, JsonParser parser, JsonToken value,
            JsonPrompt.Builder prompt) {
        switch (name) {
            case "messages" -> readMessages(parser, value, prompt);
            case "prompt" -> readPrompt(parser, value, name, prompt);
            case "input" -> {
                if (operation == ApiOperation.RESPONSES) {
                    readItems(parser, value, name, prompt);
                } else {
                    readPrompt(parser, value, name, prompt);
                }
            }
            default -> readItems(parser, value, name, prompt); // instructions, query, documents, text_1, text_2
        }
    }

    /**
     * Text in the looser shapes of the newer endpoints: a string, or an array whose strings and objects count
     * ({@code content} as a chat message's, else {@code text}); numbers and other values are skipped, since the
     * engine, not the router, validates these bodies.
     */
    private static void readItems(JsonParser parser, JsonToken token, String field, JsonPrompt.Builder prompt) {
        switch (token) {
            case VALUE_STRING -> appendText(parser, prompt);
            case START_ARRAY -> {
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (element == JsonToken.VALUE_STRING) {
                        appendText(parser, prompt);
                    } else if (element == JsonToken.START_OBJECT) {
                        readItem(parser, field, prompt);
                    } else {
                        parser.skipChildren();
                    }
                }
            }
            case START_OBJECT -> readItem(parser, field, prompt);
            default -> parser.skipChildren();
        }
    }

    private static void readItem(JsonParser parser, String field, JsonPrompt.Builder prompt) {
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            if (name.equals("content")) {
                readContent(parser, value, field + ".content", prompt);
            } else if (name.equals("text") && value == JsonToken.VALUE_STRING) {
                appendText(parser, prompt);
            } else {
                parser.skipChildren();
            }
        }
    }

    private static String string(JsonParser parser, JsonToken token, String field) {
        if (token != JsonToken.VALUE_STRING) {
            throw typeError(field, "a string", token);
        }
        return parser.getString();
    }

    private static boolean bool(JsonParser parser, JsonToken token, String field) {
        return switch (token) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw typeError(field, "a boolean", token);
        };
    }

    private static void readMessages(JsonParser parser, JsonToken token, JsonPrompt.Builder prompt) {
        if (token != JsonToken.START_ARRAY) {
            throw typeError("messages", "an array of message objects", token);
        }
        int index = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (element != JsonToken.START_OBJECT) {
                throw typeError("messages[" + index + "]", "a message object", element);
            }
            String name;
            while ((name = parser.nextName()) != null) {
                JsonToken value = parser.nextToken();
                if (name.equals("content")) {
                    readContent(parser, value, "messages[" + index + "].content", prompt);
                } else {
                    parser.skipChildren();
                }
            }
            index++;
        }
    }

    /** Message content: a string, null, or an array of parts of which the text parts count for routing. */
    private static void readContent(JsonParser parser, JsonToken token, String field, JsonPrompt.Builder prompt) {
        switch (token) {
            case VALUE_NULL -> {
            }
            case VALUE_STRING -> appendText(parser, prompt);
            case START_ARRAY -> {
                int part = 0;
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (element == JsonToken.VALUE_STRING) {
                        appendText(parser, prompt);
                    } else if (element == JsonToken.START_OBJECT) {
                        readContentPart(parser, field + "[" + part + "]", prompt);
                    } else {
                        throw typeError(field + "[" + part + "]", "a content part object", element);
                    }
                    part++;
                }
            }
            default -> throw typeError(field, "a string, an array of content parts, or null", token);
        }
    }

    private static void readContentPart(JsonParser parser, String field, JsonPrompt.Builder prompt) {
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            if (name.equals("text")) {
                if (value != JsonToken.VALUE_STRING) {
                    throw typeError(field + ".text", "a string", value);
                }
                appendText(parser, prompt);
            } else {
                parser.skipChildren();
            }
        }
    }

    /** {@code prompt} or {@code input}: a string, strings, token ids, or arrays of token ids. */
    private static void readPrompt(JsonParser parser, JsonToken token, String field, JsonPrompt.Builder prompt) {
        if (token == JsonToken.VALUE_STRING) {
            appendText(parser, prompt);
            return;
        }
        if (token != JsonToken.START_ARRAY) {
            throw typeError(field, PROMPT_SHAPES, token);
        }
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            switch (element) {
                case VALUE_STRING -> appendText(parser, prompt);
                case VALUE_NUMBER_INT -> appendTokenId(parser, prompt);
                case START_ARRAY -> {
                    prompt.endRun();
                    JsonToken id;
                    while ((id = parser.nextToken()) != JsonToken.END_ARRAY) {
                        if (id != JsonToken.VALUE_NUMBER_INT) {
                            throw typeError(field, PROMPT_SHAPES, id);
                        }
                        appendTokenId(parser, prompt);
                    }
                    prompt.newline();
                }
                default -> throw typeError(field, PROMPT_SHAPES, element);
            }
        }
    }

    /** A text, read later from where it stands in the body; Jackson skips it without decoding it. */
    private static void appendText(JsonParser parser, JsonPrompt.Builder prompt) {
        prompt.text(offset(parser));
    }

    /** A token id, routed as its decimal digits and a space; read (and range-checked) as a long, as the engine will. */
    private static void appendTokenId(JsonParser parser, JsonPrompt.Builder prompt) {
        long id = parser.getLongValue();
        prompt.tokenId(prompt.continuesRun() ? -1 : offset(parser), decimalLength(id));
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    private static int decimalLength(long value) {
        if (value == Long.MIN_VALUE) {
            return 20;
        }
        int digits = value < 0 ? 2 : 1;
        for (long v = Math.abs(value); v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    private static ApiException typeError(String field, String expected, JsonToken actual) {
        return ApiException.invalidRequest(field,
                "'" + field + "' must be " + expected + ", but was " + describe(actual) + ".");
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }
}
