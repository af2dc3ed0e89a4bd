package io.sagaorchestrator.definitions;

/**
 * The definition the tests of a group's picture, walk and page read: reserve stock, then open a CRM contact and a
 * mailbox side by side (group {@code accounts}), then save the order here. The contact may try twice, after a backoff;
 * the mailbox once.
 */
public final class SignupWithAGroup {

    /** Its YAML; {@code %s} takes keys of the group (e.g. {@code "      maxConcurrency: 1\n"}), or nothing. */
    public static final String YAML = """
            name: signup
            version: 1
            deadline: 10m
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - parallel:
                  name: accounts
            %s      steps:
                    - name: crm-contact
                      type: remote
                      http: { method: POST, target: crm, path: /contacts }
                      retry: { attempts: 2, inProcess: { attempts: 1, delay: 0s }, backoff: { initialDelay: 5s, multiplier: 2, maxDelay: 1m } }
                      compensation:
                        http: { method: DELETE, target: crm, path: "/contacts/${step.idempotencyKey}" }
                    - name: mailbox
                      type: remote
                      http: { method: POST, target: mail, path: /boxes }
                      retry: { attempts: 1 }
                      compensation:
                        http: { method: DELETE, target: mail, path: "/boxes/${step.idempotencyKey}" }
              - name: save-order
                type: local
                action: saveLiaison
            """;

    private SignupWithAGroup() {
    }

    /** The definition with these keys of its group. */
    public static SagaDefinition withGroupKeys(String groupKeys) {
        return new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml", YAML.formatted(groupKeys));
    }
}
