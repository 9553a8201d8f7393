package dev.prefixrouter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefixrouter.error.ApiException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiRequestParserTest {

    private final OpenAiRequestParser parser = new OpenAiRequestParser();

    private ParsedRequest parse(ApiOperation operation, String json) {
        return parser.parse(operation, json.getBytes(StandardCharsets.UTF_8));
    }

    private ApiException rejection(ApiOperation operation, String json) {
        return (ApiException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(operation, json));
    }

    @Test
    void readsChatFieldsAndSkipsEverythingElse() {
        ParsedRequest request = parse(ApiOperation.CHAT_COMPLETIONS, """
                {"top_k": 5, "model": "m", "guided_json": {"type": "object", "properties": {"a": [1, {"b": 2}]}},
                 "messages": [{"role": "system", "content": "You are terse."},
                              {"role": "user", "content": "Hi", "name": "x"}],
                 "stream": true, "user": "alice", "repetition_penalty": 1.1}""");
        assertThat(request.model()).isEqualTo("m");
        assertThat(request.stream()).isTrue();
        assertThat(request.user()).isEqualTo("alice");
        assertThat(request.prompt().toString()).isEqualTo("You are terse.\nHi");
    }

    @Test
    void chatContentMayBePartsOfWhichTextCounts() {
        ParsedRequest request = parse(ApiOperation.CHAT_COMPLETIONS, """
                {"model": "m", "messages": [
                  {"role": "user", "content": [{"type": "text", "text": "Look:"},
                                               {"type": "image_url", "image_url": {"url": "data:..."}},
                                               {"type": "text", "text": "what is it?"}]},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "t", "function": {"name": "f"}}]},
                  {"role": "tool", "content": "42"}]}""");
        assertThat(request.prompt().toString()).isEqualTo("Look:\nwhat is it?\n42");
        assertThat(request.stream()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"once upon\"                 | once upon",
            "[\"a\", \"b\"]               | 'a\nb'",
            "[1, 2, 3]                    | '1 2 3 '",
            "[[1, 2], [3]]                | '1 2 \n3 \n'"})
    void everyPromptShapeRoutes(String prompt, String expected) {
        assertThat(parse(ApiOperation.COMPLETIONS, "{\"model\":\"m\",\"prompt\":" + prompt + "}").prompt().toString())
                .isEqualTo(expected);
        assertThat(parse(ApiOperation.EMBEDDINGS, "{\"model\":\"m\",\"input\":" + prompt + "}").prompt().toString())
                .isEqualTo(expected);
    }

    @Test
    void malformedJsonIsA400WithoutParam() {
        ApiException error = rejection(ApiOperation.CHAT_COMPLETIONS, "{\"model\": \"m\", \"messages\": [");
        assertThat(error.status().value()).isEqualTo(400);
        assertThat(error.getMessage()).startsWith("Request body is not valid JSON");
        assertThat(rejection(ApiOperation.CHAT_COMPLETIONS, "[1]").getMessage()).contains("must be a JSON object");
        assertThat(rejection(ApiOperation.CHAT_COMPLETIONS, "").getMessage()).contains("must be a JSON object");
        assertThat(rejection(ApiOperation.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[]} {}").getMessage())
                .contains("exactly one JSON object");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"model\": 3, \"messages\": []}                                  | model",
            "{\"model\": \"m\", \"messages\": \"hi\"}                          | messages",
            "{\"model\": \"m\", \"messages\": [\"hi\"]}                        | messages[0]",
            "{\"model\": \"m\", \"messages\": [{\"content\": 5}]}              | messages[0].content",
            "{\"model\": \"m\", \"messages\": [{\"content\": [{\"text\": 1}]}]} | messages[0].content[0].text",
            "{\"model\": \"m\", \"messages\": [], \"stream\": \"yes\"}         | stream",
            "{\"model\": \"m\", \"messages\": [], \"user\": {}}                 | user"})
    void wrongTypesNameTheField(String json, String field) {
        ApiException error = rejection(ApiOperation.CHAT_COMPLETIONS, json);
        assertThat(error.status().value()).isEqualTo(400);
        assertThat(error.param()).isEqualTo(field);
        assertThat(error.getMessage()).startsWith("'" + field + "' must be");
    }

    @Test
    void wrongPromptShapesNameTheField() {
        ApiException error = rejection(ApiOperation.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[[1,\"x\"]]}");
        assertThat(error.param()).isEqualTo("prompt");
        assertThat(error.getMessage()).contains("an array of token-id arrays");
        assertThat(rejection(ApiOperation.EMBEDDINGS, "{\"model\":\"m\",\"input\":{}}").param()).isEqualTo("input");
    }

    @Test
    void missingModelOrPromptIsA400() {
        assertThat(rejection(ApiOperation.CHAT_COMPLETIONS, "{\"messages\": []}").param()).isEqualTo("model");
        assertThat(rejection(ApiOperation.CHAT_COMPLETIONS, "{\"model\": \"m\"}").getMessage())
                .isEqualTo("'messages' is required.");
        assertThat(rejection(ApiOperation.COMPLETIONS, "{\"model\": \"m\", \"messages\": []}").param())
                .isEqualTo("prompt");
        assertThatThrownBy(() -> parse(ApiOperation.EMBEDDINGS, "{\"model\": \"m\"}"))
                .hasMessage("'input' is required.");
    }

    @Test
    void responsesRouteOnInstructionsThenInputAndCarryTheirPreviousResponse() {
        ParsedRequest request = parse(ApiOperation.RESPONSES, """
                {"model": "m", "instructions": "Be terse.", "store": true, "previous_response_id": "resp_1",
                 "input": [{"type": "message", "role": "user",
                            "content": [{"type": "input_text", "text": "Hello"}]},
                           {"type": "function_call_output", "call_id": "c", "output": "skipped"},
                           "plain"], "tools": [{"type": "function", "name": "f"}]}""");
        assertThat(request.prompt().toString()).isEqualTo("Be terse.\nHello\nplain");
        assertThat(request.previousResponseId()).isEqualTo("resp_1");
        assertThat(parse(ApiOperation.RESPONSES, "{\"model\":\"m\",\"input\":\"hi\"}").previousResponseId())
                .isNull();
        assertThat(rejection(ApiOperation.RESPONSES, "{\"model\":\"m\",\"instructions\":\"x\"}").param())
                .isEqualTo("input");
    }

    @Test
    void rerankAndScoreRouteOnQueryThenDocuments() {
        assertThat(parse(ApiOperation.RERANK, """
                {"model": "m", "documents": ["a", {"text": "b"}], "query": "q", "top_n": 1}""").prompt().toString())
                .isEqualTo("a\nb\nq");
        assertThat(parse(ApiOperation.SCORE, """
                {"model": "m", "text_1": "q", "text_2": ["a", "b"]}""").prompt().toString()).isEqualTo("q\na\nb");
        assertThat(rejection(ApiOperation.RERANK, "{\"model\":\"m\",\"documents\":[]}").param())
                .isEqualTo("query");
    }

    @Test
    void routesWithoutAPromptNeedOnlyTheModel() {
        assertThat(parse(ApiOperation.DETOKENIZE, "{\"model\":\"m\",\"tokens\":[1,2]}").prompt().toString())
                .isEmpty();
        assertThat(parse(ApiOperation.TOKENIZE, "{\"model\":\"m\",\"prompt\":\"abc\"}").prompt().toString())
                .isEqualTo("abc");
        assertThat(rejection(ApiOperation.CLASSIFY, "{\"input\":\"x\"}").param()).isEqualTo("model");
    }

    @Test
    void findsTheRawValueTheEnginesTokenizerTakes() {
        String messages = "[{\"role\": \"system\", \"content\": \"Be \\\"brief\\\".\"}, {\"role\": \"user\", \"content\": \"Hi\"}]";
        String body = "{\"model\": \"m\", \"messages\": " + messages + ", \"stream\": true}";
        ParsedRequest chat = parse(ApiOperation.CHAT_COMPLETIONS, body);
        assertThat(chat.tokenize().chat()).isTrue();
        assertThat(raw(chat)).isEqualTo(messages);

        ParsedRequest completion = parse(ApiOperation.COMPLETIONS, "{\"prompt\": \"Once upon\", \"model\": \"m\"}");
        assertThat(completion.tokenize().chat()).isFalse();
        assertThat(raw(completion)).isEqualTo("\"Once upon\"");
    }

    @Test
    void promptsTheTokenizerCannotTakeAsTheyStandHaveNoTokenizeInput() {
        assertThat(parse(ApiOperation.COMPLETIONS, "{\"model\": \"m\", \"prompt\": [1, 2, 3]}").tokenize()).isNull();
        assertThat(parse(ApiOperation.COMPLETIONS, "{\"model\": \"m\", \"prompt\": \"a\", \"prompt\": [1]}").tokenize())
                .isNull();
        assertThat(parse(ApiOperation.EMBEDDINGS, "{\"model\": \"m\", \"input\": \"text\"}").tokenize()).isNull();
    }

    private static String raw(ParsedRequest request) {
        var input = request.tokenize();
        return new String(input.body(), input.start(), input.length(), StandardCharsets.UTF_8);
    }
}
