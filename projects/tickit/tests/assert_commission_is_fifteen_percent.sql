-- TICKIT keeps commission_rate (15 %) of every sale, rounded to the cent

select sale_id, price_paid, commission
from {{ ref('stg_tickit__sales') }}
where abs(commission - round(price_paid * {{ var('commission_rate') }}, 2)) > 0.01
